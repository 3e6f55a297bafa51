import DroverCore

/// Collects what one format cannot hold, so an export reports every problem at once,
/// each at the file and line of the value (the env file, the Procfile).
struct ExportChecks {
    /// How the format is named in messages: "systemd units", "Kubernetes files".
    let formatName: String
    private(set) var problems: [Diagnostic] = []

    init(_ formatName: String) {
        self.formatName = formatName
    }

    mutating func fail(_ message: String, kind: Diagnostic.Kind = .input) {
        fail(Diagnostic(message, kind: kind))
    }

    mutating func fail(_ problem: Diagnostic) {
        if !problems.contains(problem) { problems.append(problem) }
    }

    /// A variable's value as text; "" (and a problem) when it is not UTF-8.
    mutating func text(of variable: SourcedVariable) -> String {
        guard let text = String(validating: variable.value.bytes, as: UTF8.self) else {
            fail("\(variable.location): the value of \(variable.name) is not UTF-8, and \(formatName) are UTF-8 text")
            return ""
        }
        return text
    }

    /// The text of a type's script for `/bin/sh -c`; "" (and a problem) when not UTF-8.
    mutating func script(of type: ExportedType) -> String {
        guard let text = String(validating: type.script.bytes, as: UTF8.self) else {
            fail("\(type.commandLocation): the command of \(type.name) is not UTF-8, and \(formatName) are UTF-8 text")
            return ""
        }
        return text
    }

    /// Reports every env-file variable whose value is not UTF-8; after it, values can
    /// be read as text (`description`), since an export with a problem writes nothing.
    mutating func requireText(_ formation: ExportFormation) {
        for variable in formation.variables { _ = text(of: variable) }
    }

    func finish() throws(Diagnostics) {
        if !problems.isEmpty { throw Diagnostics(problems) }
    }
}
