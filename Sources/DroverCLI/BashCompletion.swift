/// The bash completion script, `drover completion bash`: a fixed engine that scans the
/// typed words, and a table of each command's options and words made from `CompletionSpec`.
///
/// It needs bash 4 and nothing else (not the bash-completion package): Procfiles are
/// read by bash itself, and instances come from `drover ps`, through the socket typed.
enum BashCompletion {
    static func script() -> String {
        header + commandTable() + valueTable() + engine
    }

    private static let header = #"""
        # bash completion for drover, written by 'drover completion bash'.
        # Load it with: source <(drover completion bash)

        # The process types of the Procfile the command line names: the -f FILE typed,
        # else Procfile in the -d DIR typed, else ./Procfile.
        _drover_types() {
            local file=${_drover_procfile:-${_drover_root:+$_drover_root/}Procfile} line
            [[ $file == "~/"* ]] && file=$HOME/${file#"~/"}
            [[ -f $file && -r $file ]] || return 0
            while IFS= read -r line || [[ -n $line ]]; do
                line=${line#$'\xef\xbb\xbf'}
                [[ $line =~ ^([A-Za-z0-9_-]+): ]] && printf '%s\n' "${BASH_REMATCH[1]}"
            done <"$file"
        }

        # The instances of the running drover (from 'drover ps', asked through the -s, -d
        # and -f typed), then their types; nothing when no drover answers.
        _drover_instances() {
            local -a arguments=()
            [[ -n $_drover_socket ]] && arguments+=(--socket "$_drover_socket")
            [[ -n $_drover_root ]] && arguments+=(--root "$_drover_root")
            [[ -n $_drover_procfile ]] && arguments+=(--procfile "$_drover_procfile")
            local table name rest header=1
            table=$("$_drover_program" ps "${arguments[@]}" </dev/null 2>/dev/null) || return 0
            local -A seen=()
            while read -r name rest; do
                if [[ -n $header ]]; then
                    header=
                    continue
                fi
                [[ -n $name ]] || continue
                printf '%s\n' "$name"
                seen[${name%.*}]=1
            done <<<"$table"
            ((${#seen[@]})) && printf '%s\n' "${!seen[@]}"
        }

        # COMPREPLY from lines of output, read after the command ends: a process
        # substitution would leave its subshell behind bash for a moment.
        _drover_lines() {
            COMPREPLY=()
            [[ -n $1 ]] && mapfile -t COMPREPLY <<<"$1"
        }

        _drover_reply() {
            _drover_lines "$(compgen -W "$1" -- "$2")"
        }

        _drover_reply_files() {
            compopt -o filenames 2>/dev/null
            _drover_lines "$(compgen -f -- "$1")"
        }

        _drover_reply_directories() {
            compopt -o filenames 2>/dev/null
            _drover_lines "$(compgen -d -- "$1")"
        }

        # all, or the types: the words of a comma list such as --can-die web,worker.
        _drover_reply_type_list() {
            local prefix=
            [[ $1 == *,* ]] && prefix=${1%,*},
            _drover_lines "$(compgen -P "$prefix" -W "all $(_drover_types)" -- "${1##*,}")"
        }

        """#

    /// `_drover_spec COMMAND`: the command's options, those of them that take a value,
    /// and what its words are; fails for an unknown command.
    private static func commandTable() -> String {
        var text = """

            _drover_commands=\(CompletionSpec.singleQuoted(CompletionSpec.all.map(\.name).joined(separator: " ")))

            _drover_spec() {
                case $1 in

            """
        for command in CompletionSpec.all {
            let options = command.options.flatMap { $0.spellings.reversed() }.joined(separator: " ")
            let valued = command.valuedSpellings.joined(separator: " ")
            text += """
                    \(command.name))
                        _drover_options=\(CompletionSpec.singleQuoted(options))
                        _drover_valued=\(CompletionSpec.singleQuoted(" \(valued) "))
                        _drover_words=\(wordsName(command.words)) ;;

                """
        }
        text += """
                *) return 1 ;;
                esac
            }

            """
        return text
    }

    /// `_drover_value COMMAND OPTION CURRENT`: completes an option's value; a value
    /// nothing can suggest gets no reply.
    private static func valueTable() -> String {
        var text = """

            _drover_value() {
                case $1 in

            """
        for command in CompletionSpec.all {
            let branches = valueBranches(command)
            guard !branches.isEmpty else { continue }
            text += "    \(command.name))\n        case $2 in\n"
            for (spellings, action) in branches {
                text += "        \(spellings.joined(separator: " | ")) ) \(action) ;;\n"
            }
            text += "        esac ;;\n"
        }
        text += "    esac\n}\n"
        return text
    }

    /// The spellings that share each kind of value, in the order of their first option.
    private static func valueBranches(_ command: CompletionSpec) -> [([String], String)] {
        var branches: [([String], String)] = []
        for option in command.options {
            let action: String
            switch option.value {
            case .none, .free: continue
            case let .choices(words): action = "_drover_reply \(CompletionSpec.singleQuoted(words.joined(separator: " "))) \"$3\""
            case .files: action = "_drover_reply_files \"$3\""
            case .directories: action = "_drover_reply_directories \"$3\""
            case .typeList: action = "_drover_reply_type_list \"$3\""
            }
            if let index = branches.firstIndex(where: { $0.1 == action }) {
                branches[index].0 += option.spellings
            } else {
                branches.append((option.spellings, action))
            }
        }
        return branches
    }

    private static func wordsName(_ words: CompletionSpec.Words) -> String {
        switch words {
        case .nothing: "nothing"
        case .processTypes: "types"
        case .scaleCounts: "counts"
        case .instances: "instances"
        case .commandLine: "command-line"
        case .exportOperands: "export"
        case .commandNames: "commands"
        case .shells: "shells"
        }
    }

    private static let engine = #"""

        # Scans the words typed after the command: notes the -f, -d and -s values, counts
        # the operands, and finds whether the cursor is on an option's value. bash splits
        # --option=value into three words at the '='.
        _drover() {
            local cur=${COMP_WORDS[COMP_CWORD]}
            local _drover_program=${COMP_WORDS[0]}
            [[ $_drover_program == "~/"* ]] && _drover_program=$HOME/${_drover_program#"~/"}
            COMPREPLY=()
            if ((COMP_CWORD == 1)); then
                if [[ $cur == -* ]]; then
                    _drover_reply '-h --help -v --version' "$cur"
                else
                    _drover_reply "$_drover_commands" "$cur"
                fi
                return 0
            fi
            local command=${COMP_WORDS[1]} _drover_options _drover_valued _drover_words
            _drover_spec "$command" || return 0
            local _drover_procfile= _drover_root= _drover_socket=
            local option= operands=0 ended= i word name value at
            for ((i = 2; i < COMP_CWORD; i++)); do
                word=${COMP_WORDS[i]}
                if [[ -z $ended && $word == -- ]]; then
                    ended=1
                    continue
                fi
                if [[ -z $ended && $word == -?* ]]; then
                    name=$word value= at=
                    if [[ ${COMP_WORDS[i + 1]} == = ]]; then
                        at=$((i + 2))
                    elif [[ $_drover_valued == *" $word "* ]]; then
                        at=$((i + 1))
                    elif [[ $word == --*=* ]]; then
                        name=${word%%=*} value=${word#*=}
                    elif [[ $word != --* && $_drover_valued == *" ${word:0:2} "* ]]; then
                        name=${word:0:2} value=${word:2}
                    fi
                    if [[ -n $at ]]; then
                        if ((at >= COMP_CWORD)); then
                            option=$word
                            [[ $cur == = ]] && cur=
                            break
                        fi
                        value=${COMP_WORDS[at]}
                        i=$at
                    fi
                    if [[ $_drover_valued == *" $name "* ]]; then
                        case $name in
                        -f | --procfile) _drover_procfile=$value ;;
                        -d | --root) _drover_root=$value ;;
                        -s | --socket) _drover_socket=$value ;;
                        esac
                    fi
                    continue
                fi
                operands=$((operands + 1))
                # run's command takes every word after it, options too.
                [[ $_drover_words == command-line ]] && ended=1
                if [[ ${COMP_WORDS[i + 1]} == = ]]; then
                    ((i + 2 >= COMP_CWORD)) && return 0
                    i=$((i + 2))
                fi
            done
            if [[ -n $option ]]; then
                _drover_value "$command" "$option" "$cur"
                return 0
            fi
            if [[ -z $ended && $cur == -* ]]; then
                _drover_reply "$_drover_options" "$cur"
                return 0
            fi
            case $_drover_words in
            types) _drover_reply "$(_drover_types)" "$cur" ;;
            counts)
                compopt -o nospace 2>/dev/null
                _drover_lines "$(compgen -S = -W "$(_drover_types)" -- "$cur")"
                ;;
            instances) _drover_reply "$(_drover_instances)" "$cur" ;;
            command-line)
                if ((operands == 0)); then
                    _drover_lines "$(compgen -W "$(_drover_types)" -- "$cur"; compgen -c -- "$cur")"
                else
                    _drover_reply_files "$cur"
                fi
                ;;
            export)
                if ((operands == 0)); then
                    _drover_reply "\#(CompletionSpec.exportFormats.joined(separator: " "))" "$cur"
                elif ((operands == 1)); then
                    _drover_reply_directories "$cur"
                fi
                ;;
            commands) ((operands == 0)) && _drover_reply "$_drover_commands" "$cur" ;;
            shells) ((operands == 0)) && _drover_reply '\#(CompletionSpec.shells.joined(separator: " "))' "$cur" ;;
            esac
            return 0
        }

        complete -F _drover drover

        """#
}
