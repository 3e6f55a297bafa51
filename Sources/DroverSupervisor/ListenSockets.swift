import DroverCore
import DroverSystem

/// The `--listen` types' listening sockets, one per port: bound before anything
/// starts (a port in use stops the start), kept across every run of an instance so a
/// restart never closes the port, and closed once no instance has the port.
final class ListenSockets {
    private var sockets: [Int: FileDescriptor] = [:]
    private let address: IPv4Address

    init(for application: Application) throws(LaunchError) {
        address = application.listenAddress
        for instance in application.instances where application.settings(for: instance.type).listen {
            do throws(SystemError) {
                sockets[instance.port] = try bind(instance.port)
            } catch {
                for socket in sockets.values { socket.close() }
                throw LaunchError("cannot listen on \(address):\(instance.port) for \(instance.name): \(error.reason)")
            }
        }
    }

    private func bind(_ port: Int) throws(SystemError) -> FileDescriptor {
        try TCPSocket.listen(on: IPv4Endpoint(host: address, port: port))
    }

    /// The socket of `port`, bound now if a scale-up added the port.
    func socket(for port: Int) throws(SystemError) -> FileDescriptor {
        if let bound = sockets[port] { return bound }
        let socket = try bind(port)
        sockets[port] = socket
        return socket
    }

    /// No instance has the port any more.
    func release(_ port: Int) {
        sockets.removeValue(forKey: port)?.close()
    }
}
