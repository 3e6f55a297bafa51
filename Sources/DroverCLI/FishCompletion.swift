/// The fish completion script, `drover completion fish`: one `complete` line per option
/// of each command, with its help from `CompletionSpec`, and helpers for the words.
enum FishCompletion {
    static func script() -> String {
        var text = header
        for command in CompletionSpec.all {
            text += "complete -c drover -n __drover_needs_command -a \(command.name) -d \(quoted(command.summary))\n"
        }
        text += "complete -c drover -n __drover_needs_command -s h -l help -d 'Show help'\n"
        text += "complete -c drover -n __drover_needs_command -s v -l version -d 'Print the version'\n"
        for command in CompletionSpec.all {
            text += "\n# \(command.name)\n" + lines(for: command).joined(separator: "\n") + "\n"
        }
        return text
    }

    private static let header = #"""
        # fish completion for drover, written by 'drover completion fish'.
        # Load it with: drover completion fish | source

        complete -c drover -e
        complete -c drover -f

        function __drover_needs_command --description 'Whether no drover command is typed yet'
            set -l tokens (commandline -opc)
            not set -q tokens[2]
        end

        function __drover_command --description 'Whether the command typed is one of argv'
            set -l tokens (commandline -opc)
            set -q tokens[2]; and contains -- $tokens[2] $argv
        end

        # How many operands follow the command; argv: the spellings of the options that
        # take a value, whose values are no operands.
        function __drover_operands
            set -l tokens (commandline -opc)
            set -l count 0
            set -l skip 0
            set -l ended 0
            for token in $tokens[3..-1]
                if test $skip = 1
                    set skip 0
                else if test $ended = 0; and test "$token" = --
                    set ended 1
                else if test $ended = 0; and string match -q -- '-?*' $token
                    contains -- $token $argv; and set skip 1
                else
                    set count (math $count + 1)
                end
            end
            echo $count
        end

        # The process types of the Procfile the command line names: the -f FILE typed,
        # else Procfile in the -d DIR typed, else ./Procfile.
        function __drover_types
            set -l tokens (commandline -opc)
            set -l file
            set -l root
            set -l count (count $tokens)
            for i in (seq 3 $count)
                set -l token $tokens[$i]
                set -l next (math $i + 1)
                switch $token
                    case -f --procfile
                        set -q tokens[$next]; and set file $tokens[$next]
                    case '--procfile=*'
                        set file (string replace -- --procfile= '' $token)
                    case '-f?*'
                        set file (string sub -s 3 -- $token)
                    case -d --root
                        set -q tokens[$next]; and set root $tokens[$next]
                    case '--root=*'
                        set root (string replace -- --root= '' $token)
                    case '-d?*'
                        set root (string sub -s 3 -- $token)
                end
            end
            if test -z "$file"
                set file Procfile
                test -n "$root"; and set file $root/Procfile
            end
            test -f $file -a -r $file; or return 0
            string match -rg '^\x{feff}?([A-Za-z0-9_-]+):' <$file
        end

        function __drover_type_list --description 'all or the types, in a comma list'
            set -l current (commandline -ct)
            set -l prefix (string match -r '^.*,' -- $current)
            for word in all (__drover_types)
                echo $prefix$word
            end
        end

        # The instances of the running drover (from 'drover ps', asked through the
        # options argv names as typed: -s, -d, -f), then their types; nothing when no
        # drover answers.
        function __drover_instances
            set -l tokens (commandline -opc)
            set -l forward
            set -l count (count $tokens)
            set -l i 3
            while test $i -le $count
                set -l token $tokens[$i]
                set i (math $i + 1)
                set -l flag (string replace -r -- '=.*' '' $token)
                if contains -- $token $argv
                    set -q tokens[$i]; or break
                    set -a forward $token $tokens[$i]
                    set i (math $i + 1)
                else if contains -- $flag $argv; or contains -- (string sub -l 2 -- $token) $argv
                    set -a forward $token
                end
            end
            set -l names ($tokens[1] ps $forward </dev/null 2>/dev/null | tail -n +2 | string replace -r ' .*' '')
            or return 0
            printf '%s\n' $names
            printf '%s\n' $names | string replace -r '\.[0-9]+$' '' | sort -u
        end

        function __drover_directories
            __fish_complete_directories (commandline -ct)
        end


        """#

    /// The `complete` lines of one command: its options, then its words.
    private static func lines(for command: CompletionSpec) -> [String] {
        let condition = "-n '__drover_command \(command.name)'"
        var lines: [String] = []
        for option in command.options {
            var line = "complete -c drover \(condition)"
            if let short = option.short { line += " -s \(short)" }
            line += " -l \(option.long)"
            switch option.value {
            case .none: break
            case .free: line += " -x"
            case let .choices(words): line += " -x -a " + quoted(words.joined(separator: " "))
            case .files: line += " -r -F"
            case .directories: line += " -x -a '(__drover_directories)'"
            case .typeList: line += " -x -a '(__drover_type_list)'"
            }
            lines.append(line + " -d " + quoted(option.help))
        }
        let valued = command.valuedSpellings.joined(separator: " ")
        let first = "-n '__drover_command \(command.name); and test (__drover_operands \(valued)) = 0'"
        let later = "-n '__drover_command \(command.name); and test (__drover_operands \(valued)) = 1'"
        switch command.words {
        case .nothing: break
        case .processTypes: lines.append("complete -c drover \(condition) -a '(__drover_types)'")
        case .scaleCounts: lines.append("complete -c drover \(condition) -a '(__drover_types)=' -d 'process type'")
        case .instances:
            let forwarded = command.clientSpellings.joined(separator: " ")
            lines.append("complete -c drover \(condition) -a '(__drover_instances \(forwarded))'")
        case .commandLine:
            lines.append("complete -c drover \(first) -a '(__drover_types)' -d 'Procfile entry'")
            lines.append("complete -c drover \(first) -a '(__fish_complete_command)'")
            lines.append("complete -c drover -n '__drover_command \(command.name); and not test (__drover_operands \(valued)) = 0' -F")
        case .exportOperands:
            lines.append("complete -c drover \(first) -a \(quoted(CompletionSpec.exportFormats.joined(separator: " ")))")
            lines.append("complete -c drover \(later) -a '(__drover_directories)'")
        case .commandNames:
            for other in CompletionSpec.all {
                lines.append("complete -c drover \(first) -a \(other.name) -d \(quoted(other.summary))")
            }
        case .shells: lines.append("complete -c drover \(first) -a \(quoted(CompletionSpec.shells.joined(separator: " ")))")
        }
        return lines
    }

    /// `text` in fish's single quotes, where only `\` and `'` need a backslash.
    private static func quoted(_ text: String) -> String {
        "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}
