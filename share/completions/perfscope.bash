# bash completion for perfscope                              -*- shell-script -*-
#
# Completes subcommands, "help COMMAND", the options of profile, cpu-profile,
# memory-profile, recommend, diff, flamegraph and report and their values, and the profiled command after "--".  Works with or without the
# bash-completion package; uses its helpers when they are loaded.
# mapfile keeps file names with spaces intact.

# Profiling commands; "help" is accepted in the same place.
_perfscope_commands="profile cpu-profile memory-profile recommend diff flamegraph report"

_perfscope_cpu_profile_opts="-o --output --format -F --frequency -d --duration
    -p --pid --keep-running --per-thread --no-kernel --call-graph --stack-size --demangle --no-demangle --sampler
    --repeat --baseline --fail-on-regression -q --quiet -h --help --"

_perfscope_profile_opts="-o --output-dir -d --duration -p --pid -F --frequency --interval
    --no-syscalls --no-offcpu --demangle --no-demangle --call-graph --no-html --repeat --baseline --fail-on-regression
    --rules --set --config -q --quiet -h --help --"

_perfscope_memory_profile_opts="-o --output-dir -d --duration -p --pid --interval --sampled
    --sample-bytes --sample-seed --fault-period --no-faults --site-skip --max-sites --demangle --no-demangle --no-html --baseline
    --fail-on-regression -q --quiet -h --help --"

_perfscope_recommend_opts="-m --metrics -f --format -o --output --rules --set --config
    --baseline --fail-on-regression --no-color -h --help"

_perfscope_flamegraph_opts="-o --output -f --format --title --unit --icicle --width --min-width -w --weight
    -h --help"

_perfscope_report_opts="-o --output -h --help"

_perfscope_diff_opts="-f --format -o --output --normalize -n --top -w --weight -h --help"

# Options that take a value (the next word, or --opt=value).
_perfscope_opt_takes_value()
{
    case "$1" in
        -o | --output | --output-dir | --format | -F | --frequency | -d | --duration | -p | --pid | \
        --call-graph | --demangle | --stack-size | --sampler | --interval | --sample-bytes | --sample-seed | \
        --fault-period | --repeat | --baseline | --fail-on-regression | --rules | --set | --config)
            return 0 ;;
    esac
    return 1
}

# Fill COMPREPLY with values for option $1, given the partial word $2.
_perfscope_complete_value()
{
    local opt=$1 cur=$2
    case "$opt" in
        --format)
            mapfile -t COMPREPLY < <(compgen -W "folded json svg speedscope pprof perf-script" -- "$cur") ;;
        --call-graph)
            mapfile -t COMPREPLY < <(compgen -W "auto dwarf fp" -- "$cur") ;;
        --sampler)
            mapfile -t COMPREPLY < <(compgen -W "auto perf ptrace" -- "$cur") ;;
        --demangle)
            mapfile -t COMPREPLY < <(compgen -W "short full none" -- "$cur") ;;
        -o | --output | --baseline | --rules | --config)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
        --output-dir)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
        -p | --pid)
            if declare -F _pids >/dev/null; then
                _pids
            else
                local p pids=()
                for p in /proc/[0-9]*; do pids+=("${p#/proc/}"); done
                mapfile -t COMPREPLY < <(compgen -W "${pids[*]}" -- "$cur")
            fi ;;
        *)
            # Numbers (frequency, duration): nothing sensible to offer.
            COMPREPLY=() ;;
    esac
}

# Complete the words of a profiling command, starting at COMP_WORDS[$1],
# with the options in $2.
_perfscope_profile_command()
{
    local start=$1 opts=$2 cur=${COMP_WORDS[COMP_CWORD]}
    local i word

    # After "--" the rest is the profiled command and its arguments.
    for ((i = start; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == -- ]] || continue
        if ((COMP_CWORD == i + 1)); then
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
        elif declare -F _command_offset >/dev/null; then
            _command_offset $((i + 1))
        else
            compopt -o default 2>/dev/null
            COMPREPLY=()
        fi
        return
    done

    local prev=${COMP_WORDS[COMP_CWORD - 1]}
    # "--format=js": bash splits at "=" (COMP_WORDBREAKS), giving
    # "--format" "=" "js", or "--format" "=" when nothing is typed yet.
    if [[ $cur == = ]]; then
        _perfscope_opt_takes_value "$prev" && _perfscope_complete_value "$prev" ""
        return
    fi
    if [[ $prev == = ]] && ((COMP_CWORD >= start + 2)); then
        word=${COMP_WORDS[COMP_CWORD - 2]}
        _perfscope_opt_takes_value "$word" && _perfscope_complete_value "$word" "$cur"
        return
    fi
    # "--format=js" as one word, when "=" is not in COMP_WORDBREAKS.
    if [[ $cur == --*=* ]] && _perfscope_opt_takes_value "${cur%%=*}"; then
        _perfscope_complete_value "${cur%%=*}" "${cur#*=}"
        local k
        for k in "${!COMPREPLY[@]}"; do
            COMPREPLY[k]="${cur%%=*}=${COMPREPLY[k]}"
        done
        return
    fi
    if ((COMP_CWORD > start)) && _perfscope_opt_takes_value "$prev"; then
        _perfscope_complete_value "$prev" "$cur"
        return
    fi

    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
}

_perfscope()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local i cmd="" cmd_index=0

    # The first word that is not a global option is the subcommand.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -*) ;;
            *) cmd=${COMP_WORDS[i]}; cmd_index=$i; break ;;
        esac
    done

    case "$cmd" in
        "")
            mapfile -t COMPREPLY < <(compgen -W \
                "$_perfscope_commands help --version --help -h" -- "$cur") ;;
        help)
            if ((COMP_CWORD == cmd_index + 1)); then
                mapfile -t COMPREPLY < <(compgen -W "$_perfscope_commands" -- "$cur")
            fi ;;
        cpu-profile)
            _perfscope_profile_command $((cmd_index + 1)) "$_perfscope_cpu_profile_opts" ;;
        diff | flamegraph)
            case "${COMP_WORDS[COMP_CWORD - 1]}" in
                -f | --format)
                    local formats="text folded json svg"
                    [[ $cmd == flamegraph ]] && formats="svg speedscope"
                    mapfile -t COMPREPLY < <(compgen -W "$formats" -- "$cur") ;;
                --unit)
                    # speedscope's units, as flamegraph takes them; any word for an SVG
                    mapfile -t COMPREPLY < <(compgen -W "samples ns us ms s bytes" -- "$cur") ;;
                -w | --weight)
                    mapfile -t COMPREPLY < <(compgen -W "allocated leaked peak temporary" -- "$cur") ;;
                -n | --top | --title | --width | --min-width)
                    COMPREPLY=() ;;
                *)
                    local opts=$_perfscope_diff_opts
                    [[ $cmd == flamegraph ]] && opts=$_perfscope_flamegraph_opts
                    if [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
                    else
                        compopt -o filenames 2>/dev/null
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                    fi ;;
            esac ;;
        report)
            # a report in, a page out: files
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$_perfscope_report_opts" -- "$cur")
            else
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi ;;
        recommend)
            # no program to run: options, files, formats
            case "${COMP_WORDS[COMP_CWORD - 1]}" in
                -f | --format)
                    mapfile -t COMPREPLY < <(compgen -W "text markdown json" -- "$cur") ;;
                -m | --metrics | --rules | --config | --baseline | -o | --output)
                    compopt -o filenames 2>/dev/null
                    mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
                --set | --fail-on-regression)
                    COMPREPLY=() ;;
                *)
                    mapfile -t COMPREPLY < <(compgen -W "$_perfscope_recommend_opts" -- "$cur") ;;
            esac ;;
        profile | memory-profile)
            # -o is a directory here
            if [[ ${COMP_WORDS[COMP_CWORD - 1]} == -o ]]; then
                _perfscope_complete_value --output-dir "$cur"
            else
                local opts=$_perfscope_memory_profile_opts
                [[ $cmd == profile ]] && opts=$_perfscope_profile_opts
                _perfscope_profile_command $((cmd_index + 1)) "$opts"
            fi ;;
    esac
}

complete -F _perfscope perfscope
