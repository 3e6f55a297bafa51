/// Words for `/bin/sh`: single quotes keep every byte but `'`, which is closed over.
enum ShellQuoting {
    static func quoted(_ bytes: [UInt8]) -> [UInt8] {
        var quoted: [UInt8] = [0x27]
        for byte in bytes {
            if byte == 0x27 { quoted += Array("'\\''".utf8) } else { quoted.append(byte) }
        }
        quoted.append(0x27)
        return quoted
    }

    /// The quoted word of a text (a path, a user name).
    static func text(_ text: String) -> String { String(decoding: quoted(Array(text.utf8)), as: UTF8.self) }
}
