# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tessera_global_optspecs
    string join \n config= store= color= h/help V/version
end

function __fish_tessera_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tessera_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tessera_using_subcommand
    set -l cmd (__fish_tessera_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tessera -n "__fish_tessera_needs_command" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_needs_command" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tessera -n "__fish_tessera_needs_command" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "check" -d 'Compare the working tree (or --head) with --base and classify every contract change'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "hook" -d 'Install a plain git pre-commit hook that runs `tessera check`'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "sync" -d 'Write this repository\'s declarations (assets, owners, consumers) to the store'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "assets" -d 'List the assets in the store'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "consumers" -d 'Who reads an asset, and which columns'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "graph" -d 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "status" -d 'Where the store is, its schema version and what it holds'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "rules" -d 'List every compatibility rule with its forward/backward defaults and meaning'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "completions" -d 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "man" -d 'Print the man page (roff) to stdout'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand check" -l base -d 'The revision to compare against' -r
complete -c tessera -n "__fish_tessera_using_subcommand check" -l head -d 'Compare this revision instead of the working tree' -r
complete -c tessera -n "__fish_tessera_using_subcommand check" -l manifest -d 'dbt manifest.json of the new side (enriches the YAML, or with --base-manifest replaces git)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand check" -l base-manifest -d 'dbt manifest.json of the old side (e.g. production\'s); with --manifest, no git is needed' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand check" -l format -d 'Output format' -r -f -a "human\t''
json\t''
markdown\t''
github\t''
sarif\t''
junit\t''"
complete -c tessera -n "__fish_tessera_using_subcommand check" -l fail-on -d 'The lowest severity that fails the run (default: compatibility.fail_on, else ERR)' -r -f -a "ERR\t''
WARN\t''"
complete -c tessera -n "__fish_tessera_using_subcommand check" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand check" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand check" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand check" -l staged -d 'Compare what is staged (the index) instead of the working tree, as a git hook needs'
complete -c tessera -n "__fish_tessera_using_subcommand check" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand check" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "install" -d 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from install" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from install" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from install" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from install" -l force -d 'Replace an existing pre-commit hook'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "install" -d 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l head -d 'Sync this revision instead of the working tree' -r
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l manifest -d 'dbt manifest.json with exposures and cross-project refs (default: `dbt.manifest` when it exists)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand sync" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand sync" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l project -d 'Only this project\'s assets' -r
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l retired -d 'Include assets their project no longer declares'
complete -c tessera -n "__fish_tessera_using_subcommand assets" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand assets" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand graph" -l format -d 'Output format' -r -f -a "mermaid\t''
dot\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand graph" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand graph" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand graph" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand graph" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand graph" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand status" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand status" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand status" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand status" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand status" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand status" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand rules" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand rules" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand rules" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand rules" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand rules" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand rules" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand completions" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand completions" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand completions" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand completions" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand completions" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand man" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand man" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand man" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand man" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand man" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "check" -d 'Compare the working tree (or --head) with --base and classify every contract change'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "hook" -d 'Install a plain git pre-commit hook that runs `tessera check`'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "sync" -d 'Write this repository\'s declarations (assets, owners, consumers) to the store'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "assets" -d 'List the assets in the store'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "consumers" -d 'Who reads an asset, and which columns'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "graph" -d 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "status" -d 'Where the store is, its schema version and what it holds'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "rules" -d 'List every compatibility rule with its forward/backward defaults and meaning'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "completions" -d 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "man" -d 'Print the man page (roff) to stdout'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from check hook sync assets consumers graph status rules completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "install" -d 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files'
