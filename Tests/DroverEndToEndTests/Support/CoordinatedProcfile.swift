/// A Procfile whose writers all get to finish before the formation stops.
///
/// drover stops everything as soon as one instance exits, so a test that wants the
/// complete output of several writers lets each one drop a marker (`.done-$PS`) and
/// park, and adds a `finish` entry that exits once `instances` markers exist.
enum CoordinatedProcfile {
    static func make(_ entries: [(name: String, command: String)], instances: Int) -> String {
        var text = ""
        for (name, command) in entries {
            text += "\(name): \(command); touch \".done-$PS\"; exec sleep 60\n"
        }
        text += "finish: while [ $(ls -a | grep -c '^\\.done-') -lt \(instances) ]; do sleep 0.02; done\n"
        return text
    }
}
