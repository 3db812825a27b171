# SPDX-License-Identifier: Apache-2.0
# bash completion for gdreport(1)                           -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/gdreport.

_gdreport_profiles()
{
    local f=${AWS_CONFIG_FILE:-$HOME/.aws/config}
    [ -r "$f" ] || return 0
    sed -n -e 's/^[[:space:]]*\[profile[[:space:]]\{1,\}\([^]]*\)\].*/\1/p' \
           -e 's/^[[:space:]]*\[\(default\)\].*/\1/p' "$f" 2>/dev/null
}

# Completes the comma-separated list in $cur from the words in $1.
_gdreport_list()
{
    local prefix="" last=$cur
    if [[ $cur == *,* ]]; then
        prefix=${cur%,*},
        last=${cur##*,}
    fi
    COMPREPLY=($(compgen -P "$prefix" -W "$1" -- "$last"))
    compopt -o nospace 2>/dev/null
}

_gdreport_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir "$@"
    else
        local IFS=$'\n'
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

_gdreport()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion -n = || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        # COMP_WORDBREAKS splits --flag=value into "--flag" "=" "value".
        if [[ $cur == = ]]; then
            cur=""
        elif [[ $prev == = && $cword -ge 2 ]]; then
            prev=${COMP_WORDS[COMP_CWORD - 2]}
        fi
        if [[ $cur == "" && ${COMP_WORDS[COMP_CWORD - 1]} == = && $cword -ge 2 ]]; then
            prev=${COMP_WORDS[COMP_CWORD - 2]}
        fi
    fi

    # --flag=value: complete the value.
    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    fi

    local commands="collect export run status doctor prune config help"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            -*) ;;
            *) cmd=${words[i]}; break ;;
        esac
    done

    case $prev in
        --db|-o|--output|--config)
            _gdreport_files; return ;;
        --out-dir)
            _gdreport_files -d; return ;;
        --format)
            COMPREPLY=($(compgen -W "xlsx json md" -- "$cur")); return ;;
        --formats)
            _gdreport_list "xlsx json md"; return ;;
        --redact)
            COMPREPLY=($(compgen -W "management cost all" -- "$cur")); return ;;
        --min-severity)
            COMPREPLY=($(compgen -W "low medium high critical" -- "$cur")); return ;;
        --lang)
            COMPREPLY=($(compgen -W "en ja" -- "$cur")); return ;;
        --paper)
            COMPREPLY=($(compgen -W "a4 letter" -- "$cur")); return ;;
        --log-format)
            COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
        --profile)
            COMPREPLY=($(compgen -W "$(_gdreport_profiles)" -- "$cur")); return ;;
        --keep)
            COMPREPLY=($(compgen -W "90d 180d 400d 52w" -- "$cur")); return ;;
        --week-start)
            COMPREPLY=($(compgen -W "monday tuesday wednesday thursday friday saturday sunday" -- "$cur")); return ;;
        --tz)
            COMPREPLY=($(compgen -W "UTC Asia/Tokyo Europe/Berlin America/New_York" -- "$cur")); return ;;
        --region|--regions|--endpoint-url|--parallel|--overlap|--region-budget|--response-memory|\
        --window|--since|--until|--accounts|--now|--runs|--max-age)
            return ;;
    esac

    # These lists must match the flag table (cli/flags_table.c);
    # tests/e2e/test_flag_table.py compares them with `gdreport --dump-flags`.
    local common="-h --help --lang -q --quiet -v --verbose -vv --log-format --config"
    local collect="--db --regions --profile --region --endpoint-url --full --no-cost
                   --parallel --overlap --region-budget --response-memory"
    local export="--db --regions --format -o --output --redact --window --since --until
                  --accounts --min-severity --include-archived --findings --now --max-age
                  --tz --week-start --include-samples --paper"
    local run_only="--redact --window --since --until --accounts --min-severity
                    --include-archived --findings --now --max-age --tz --week-start
                    --include-samples --paper"
    local opts
    case $cmd in
        "")
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--help --version --lang" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$commands" -- "$cur"))
            fi
            return ;;
        help)
            COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
        collect) opts="$collect $common" ;;
        export) opts="$export $common" ;;
        run) opts="--out-dir --formats $collect $run_only $common" ;;
        status) opts="--db --runs --json --tz -h --help --lang" ;;
        doctor) opts="--profile --region --endpoint-url -h --help --lang -q --quiet -v --verbose
                      -vv --log-format" ;;
        prune) opts="--db --keep --yes --vacuum -h --help --lang -q --quiet -v --verbose -vv
                     --config" ;;
        config)
            if [[ $cur != -* ]] && ! [[ " ${words[*]:1:cword-1} " == *" show "* ||
                                         " ${words[*]:1:cword-1} " == *" path "* ]]; then
                COMPREPLY=($(compgen -W "show path" -- "$cur"))
                return
            fi
            opts="--config --json -h --help --lang" ;;
        *) return ;;
    esac
    # Each option once (run gets --db and --regions from both lists).
    COMPREPLY=($(compgen -W "$(printf '%s\n' $opts | sort -u)" -- "$cur"))
    [[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
    return 0
}

complete -F _gdreport gdreport
