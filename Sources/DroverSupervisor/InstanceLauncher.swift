import DroverCore
import DroverSystem

/// Spawns one run of an instance: `/bin/sh -c COMMAND` in the root, in its own
/// process group, stdout and stderr on one fresh pipe.
struct InstanceLauncher {
    /// Pipe buffers are allocated as they fill, so an idle instance costs nothing extra.
    private static let pipeCapacity = 1 << 18

    let shell: String
    let root: String
    /// The application's environment without PORT and PS: shared by every instance,
    /// which adds its own two, so 5,000 instances do not hold 5,000 copies.
    private let baseEnvironment: [String]
    /// The descriptor limit children get back (drover raised its own).
    let fileLimit: ResourceLimits.FileLimit?

    init(application: Application, shell: String, fileLimit: ResourceLimits.FileLimit?) {
        self.shell = shell
        root = application.root
        var environment = application.environment
        environment["PORT"] = nil
        environment["PS"] = nil
        baseEnvironment = environment.environStrings
        self.fileLimit = fileLimit
    }

    /// The child's pid and the read end of its output pipe (non-blocking).
    func spawn(_ instance: PlannedInstance) throws(SystemError) -> (pid: Int32, output: FileDescriptor) {
        let pipe = try Pipe.make(nonblockingReadEnd: true)
        pipe.requestCapacity(Self.pipeCapacity)
        var request = Spawn.Request(
            path: shell, arguments: [shell, "-c", instance.command],
            environment: baseEnvironment + instance.ownVariables.map { "\($0.name)=\($0.value)" },
            workingDirectory: root)
        request.standardOutput = .descriptor(pipe.writeEnd)
        request.standardError = .descriptor(pipe.writeEnd)
        request.grouping = .newProcessGroup
        request.fileLimit = fileLimit
        do throws(SystemError) {
            let pid = try Spawn.run(request)
            pipe.writeEnd.close()
            return (pid, pipe.readEnd)
        } catch {
            pipe.readEnd.close()
            pipe.writeEnd.close()
            throw error
        }
    }
}
