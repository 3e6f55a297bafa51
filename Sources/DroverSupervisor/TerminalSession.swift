import DroverCore
import DroverSystem

/// One run's pseudo-terminal, as drover holds it: the master (also read as the run's
/// output stream), its window size, the keys attached clients typed that the
/// terminal has not taken yet, and those clients.
final class TerminalSession {
    /// Keys waiting beyond this mean the process is not reading its terminal: the
    /// client that typed more is cut off rather than drover holding without bound.
    static let maximumPendingInput = 1 << 20

    let master: FileDescriptor
    private var sizing: WindowSizing
    private var input: [UInt8] = []
    private var inputSent = 0
    private(set) var clients: [ControlClient] = []
    /// The master was closed (the run's output ended): keys have nowhere to go.
    private(set) var isClosed = false

    init(master: FileDescriptor, ownSize: WindowSize?) {
        self.master = master
        sizing = WindowSizing(own: ownSize)
        applySize()
    }

    var windowSize: WindowSize { sizing.current }
    var hasPendingInput: Bool { inputSent < input.count }

    /// A client attached, with its terminal's size if it has one.
    func attach(_ client: ControlClient, size: WindowSize?) {
        clients.append(client)
        if let size { resize(for: client, size) }
    }

    func detach(_ client: ControlClient) {
        clients.removeAll { $0 === client }
        sizing.clientLeft(client.token)
        applySize()
    }

    func resize(for client: ControlClient, _ size: WindowSize) {
        sizing.clientSized(client.token, size)
        applySize()
    }

    /// drover's own terminal changed size.
    func ownResized(_ size: WindowSize?) {
        sizing.ownSized(size)
        applySize()
    }

    private func applySize() {
        guard !isClosed else { return }
        try? PseudoTerminal.setWindowSize(sizing.current, on: master)
    }

    /// Queues keys for the process; false when too many wait (the caller cuts the client off).
    func type(_ bytes: [UInt8]) -> Bool {
        guard !isClosed else { return true }
        guard input.count - inputSent + bytes.count <= Self.maximumPendingInput else { return false }
        input += bytes
        flushInput()
        return true
    }

    /// Writes what the terminal takes now.
    func flushInput() {
        guard !isClosed else { return }
        while inputSent < input.count {
            let written = input.withUnsafeBytes { raw in
                (try? master.writeSome(UnsafeRawBufferPointer(rebasing: raw[inputSent...]))) ?? -1
            }
            // A write error means the other side is gone: the keys cannot arrive.
            if written < 0 { inputSent = input.count }
            if written <= 0 { break }
            inputSent += written
        }
        if inputSent == input.count {
            input.removeAll(keepingCapacity: input.count <= 4096)
            inputSent = 0
        }
    }

    /// The output ended and the master is about to be closed.
    func masterClosed() {
        isClosed = true
        input = []
        inputSent = 0
    }
}
