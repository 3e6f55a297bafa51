/// The zsh completion script, `drover completion zsh`: an `_arguments` call per command,
/// with each option's help from `CompletionSpec`, and helpers for types and instances.
///
/// It works both as `_drover` in a directory of `fpath` (autoloaded by compinit) and
/// sourced (`source <(drover completion zsh)`), where it registers itself with compdef.
enum ZshCompletion {
    static func script() -> String {
        header + commandList() + CompletionSpec.all.map(commandFunction).joined() + dispatcher()
    }

    private static let header = #"""
        #compdef drover
        # zsh completion for drover, written by 'drover completion zsh'.

        # The process types of the Procfile the command line names: the -f FILE typed,
        # else Procfile in the -d DIR typed, else ./Procfile.
        _drover_type_names() {
            local file=${(Q)opt_args[-f]:-${(Q)opt_args[--procfile]}}
            local root=${(Q)opt_args[-d]:-${(Q)opt_args[--root]}}
            [[ -n $file ]] || file=${root:+$root/}Procfile
            [[ $file == '~/'* ]] && file=$HOME/${file#'~/'}
            [[ -f $file && -r $file ]] || return 0
            local line
            while IFS= read -r line || [[ -n $line ]]; do
                line=${line#$'\xef\xbb\xbf'}
                [[ $line =~ '^([A-Za-z0-9_-]+):' ]] && print -r -- $match[1]
            done <$file
        }

        _drover_types() {
            local -a types=(${(f)"$(_drover_type_names)"})
            _wanted types expl 'process type' compadd -a types
        }

        _drover_type_list() {
            local -a types=(all ${(f)"$(_drover_type_names)"})
            _values -s , 'process type' $types
        }

        _drover_counts() {
            local -a types=(${(f)"$(_drover_type_names)"})
            _wanted types expl 'process type' compadd -S = -a types
        }

        # The instances of the running drover (from 'drover ps', asked through the -s, -d
        # and -f typed), then their types; nothing when no drover answers.
        _drover_instances() {
            local -a arguments names
            local key
            for key in -s --socket -d --root -f --procfile; do
                [[ -n ${opt_args[$key]} ]] && arguments+=($key ${(Q)opt_args[$key]})
            done
            local table
            table=$($_drover_program ps $arguments </dev/null 2>/dev/null) || return 1
            names=(${${(f)table}[2,-1]%% *})
            names+=(${(u)names%.*})
            _wanted instances expl 'instance or type' compadd -a names
        }

        _drover_run_command() {
            _alternative 'types:process type:_drover_types' 'commands:command:_command_names -e'
        }

        """#

    /// `_drover_commands`: each command with its summary.
    private static func commandList() -> String {
        var text = "_drover_commands() {\n    local -a commands=(\n"
        for command in CompletionSpec.all {
            text += "        " + CompletionSpec.singleQuoted("\(command.name):\(command.summary)") + "\n"
        }
        return text + "    )\n    _describe -t commands 'drover command' commands\n}\n\n"
    }

    /// `_drover_start`: the `_arguments` call for one command.
    private static func commandFunction(_ command: CompletionSpec) -> String {
        let flags = command.words == .commandLine ? "-S -A '-*'" : "-S"
        var specs = command.options.map(optionSpec)
        switch command.words {
        case .nothing: break
        case .processTypes: specs.append("'*:process type:_drover_types'")
        case .scaleCounts: specs.append("'*:type=count:_drover_counts'")
        case .instances: specs.append("'*:instance:_drover_instances'")
        case .commandLine: specs += ["'1:command:_drover_run_command'", "'*::argument:_normal'"]
        case .exportOperands:
            specs += ["'1:format:(\(CompletionSpec.exportFormats.joined(separator: " ")))'", "'2:location:_files -/'"]
        case .commandNames: specs.append("'1:command:_drover_commands'")
        case .shells: specs.append("'1:shell:(\(CompletionSpec.shells.joined(separator: " ")))'")
        }
        var text = "\(functionName(command))() {\n    _arguments \(flags)"
        for spec in specs { text += " \\\n        " + spec }
        return text + "\n}\n\n"
    }

    /// `'(-f --procfile)'{-f+,--procfile=}'[Procfile to read]:FILE:_files'`.
    private static func optionSpec(_ option: CompletionSpec.Option) -> String {
        let takesValue = option.takesValue
        let long = "--\(option.long)" + (takesValue ? "=" : "")
        let names: String
        if let short = option.short {
            let both = "{-\(short)\(takesValue ? "+" : ""),\(long)}"
            names = (option.isRepeatable ? "'*'" : "'(-\(short) --\(option.long))'") + both
        } else {
            names = CompletionSpec.singleQuoted((option.isRepeatable ? "*" : "") + long)
        }
        var rest = "[" + escaped(option.help, special: "[]") + "]"
        if takesValue {
            let message = escaped(option.valueName.isEmpty ? option.long : option.valueName, special: ":")
            rest += ":" + message + ":" + action(option.value)
        }
        return names + CompletionSpec.singleQuoted(rest)
    }

    private static func action(_ value: CompletionSpec.Value) -> String {
        switch value {
        case .none, .free: " "
        case let .choices(words): "(" + words.joined(separator: " ") + ")"
        case .files: "_files"
        case .directories: "_files -/"
        case .typeList: "_drover_type_list"
        }
    }

    /// `text` with a backslash before each of `special` and before backslashes, as
    /// `_arguments` reads its descriptions and messages.
    private static func escaped(_ text: String, special: String) -> String {
        var result = ""
        for character in text {
            if character == "\\" || special.contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    private static func functionName(_ command: CompletionSpec) -> String {
        "_drover_" + command.name.replacing("-", with: "_")
    }

    private static func dispatcher() -> String {
        var text = #"""
            _drover() {
                local curcontext=$curcontext state state_descr line ret=1
                # The drover typed (a path, perhaps), for the helpers that run it.
                local _drover_program=${(Q)words[1]}
                [[ $_drover_program == '~/'* ]] && _drover_program=$HOME/${_drover_program#'~/'}
                typeset -A opt_args
                _arguments -C \
                    '(- *)'{-h,--help}'[Show help]' \
                    '(- *)'{-v,--version}'[Print the version]' \
                    '1:command:_drover_commands' \
                    '*::argument:->command' && ret=0
                [[ $state == command ]] || return ret
                curcontext=${curcontext%:*:*}:drover-$words[1]:
                case $words[1] in

            """#
        for command in CompletionSpec.all {
            text += "    \(command.name)) \(functionName(command)) && ret=0 ;;\n"
        }
        text += #"""
                esac
                return ret
            }

            if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
                _drover "$@"
            else
                compdef _drover drover
            fi

            """#
        return text
    }
}
