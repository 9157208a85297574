# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tessera_global_optspecs
    string join \n config= store= profiles-dir= color= h/help V/version
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
complete -c tessera -n "__fish_tessera_needs_command" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tessera -n "__fish_tessera_needs_command" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "demo" -d 'Walk the whole loop on the shipped examples: sync, break, check, impact, signed ack, merge, publish'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "check" -d 'Compare the working tree (or --head) with --base and classify every contract change'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "impact" -d 'Diff a pull request from its merge-base, open proposals for breaking changes, and gate the merge on acks'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "replay" -d 'Replay first-parent history commit by commit through `check --base C^ --head C`, and sum up what would have been blocked'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "ack" -d 'Sign and record your team\'s decision on a proposal (approve, block, or migrating until a date)'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "verify" -d 'Re-check every acknowledgment\'s signature and binding, and say why each bad one is rejected'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "proposals" -d 'List, show and withdraw proposals'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "signers" -d 'Export the registered signing keys as an OpenSSH allowed_signers file'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "init" -d 'Write a first tessera.yaml from this repository\'s dbt project, git user and SSH key'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "hook" -d 'Install a plain git pre-commit hook that runs `tessera check`'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "sync" -d 'Write this repository\'s declarations (assets, owners, consumers) to the store'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "assets" -d 'List the assets in the store'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "consumers" -d 'Who reads an asset, and which columns'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "graph" -d 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "status" -d 'Where the store is, its schema version and what it holds'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "serve" -d 'Run the coordination store as an HTTP server for many repositories and CI runners'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "keys" -d 'Create, list and revoke the API keys of a `tessera serve` (needs an admin key)'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "rules" -d 'List every compatibility rule with its forward/backward defaults and meaning'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "completions" -d 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "man" -d 'Print the man page (roff) to stdout'
complete -c tessera -n "__fish_tessera_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand demo" -l keep -d 'Build the demo in this directory and leave it there to explore (it must be empty or new)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand demo" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand demo" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand demo" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand demo" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand demo" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand demo" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand check" -l base -d 'The revision to compare against' -r
complete -c tessera -n "__fish_tessera_using_subcommand check" -l head -d 'Compare this revision instead of the working tree' -r
complete -c tessera -n "__fish_tessera_using_subcommand check" -l manifest -d 'dbt manifest.json of the new side (enriches the YAML, or with --base-manifest replaces git)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand check" -l base-manifest -d 'dbt manifest.json of the old side (e.g. production\'s); with --manifest, no git is needed' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand check" -l catalog -d 'dbt catalog.json (`dbt docs generate`): column types for both sides (default: `dbt.catalog`)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand check" -l format -d 'Output format' -r -f -a "human\t''
json\t''
markdown\t''
github\t''
sarif\t''
junit\t''
concise\t'One line per finding: `file:line: SEVERITY rule node.path message`'"
complete -c tessera -n "__fish_tessera_using_subcommand check" -l fail-on -d 'The lowest severity that fails the run (default: compatibility.fail_on, else ERR)' -r -f -a "ERR\t''
WARN\t''"
complete -c tessera -n "__fish_tessera_using_subcommand check" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand check" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand check" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand check" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand check" -l staged -d 'Compare what is staged (the index) instead of the working tree, as a git hook needs'
complete -c tessera -n "__fish_tessera_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tessera -n "__fish_tessera_using_subcommand check" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l base -d 'The branch the change merges into (`main`, `origin/main`), or `auto` to read it from CI' -r
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l head -d 'The change\'s last commit' -r
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l change -d 'Name of the change, which keeps one proposal per asset across re-pushes (default: the CI\'s pull-request branch, else the current branch)' -r
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l format -d 'Output format' -r -f -a "human\t''
json\t''
markdown\t''
github\t''
sarif\t''
junit\t''
concise\t'One line per finding: `file:line: SEVERITY rule node.path message`'"
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l propose -d 'Create or update the proposals in the store'
complete -c tessera -n "__fish_tessera_using_subcommand impact" -l require-acks -d 'Exit 1 until every impacted consumer has approved (the merge gate)'
complete -c tessera -n "__fish_tessera_using_subcommand impact" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tessera -n "__fish_tessera_using_subcommand impact" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand replay" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand replay" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand replay" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand replay" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand replay" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand replay" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand replay" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l migrating -d 'Accept the change once this team has migrated, by this date (the merge waits until then)' -r
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l comment -d 'A note for the producer, signed with the decision' -r
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l team -d 'The team you acknowledge for (default: your team among the impacted ones)' -r
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l key -d 'SSH key to sign with: a private key, or a `.pub` whose private half is in ssh-agent (default: TESSERA_SIGNING_KEY, git\'s user.signingkey when gpg.format=ssh, ~/.ssh/id_ed25519)' -r
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l approve -d 'Accept the change'
complete -c tessera -n "__fish_tessera_using_subcommand ack" -l block -d 'Refuse the change: the merge stays blocked until this team approves'
complete -c tessera -n "__fish_tessera_using_subcommand ack" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand ack" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand verify" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand verify" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand verify" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand verify" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand verify" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand verify" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand verify" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -f -a "list" -d 'Open proposals (the default), or all of them'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -f -a "show" -d 'One proposal: its findings, each team\'s acknowledgment, and its history'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -f -a "withdraw" -d 'Close a proposal: the change was abandoned'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and not __fish_seen_subcommand_from list show withdraw help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -l status -d 'Only proposals with this status' -r -f -a "pending\t''
approved\t''
blocked\t''
published\t''
withdrawn\t''
expired\t''
superseded\t''"
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -l asset -d 'Only proposals for this asset key' -r
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -l team -d 'Only what waits on this team: proposals that impact it and that it has not approved' -r
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -l all -d 'Every proposal, whatever its status'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from show" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from show" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from show" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from show" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from withdraw" -l reason -d 'Why, for the event log' -r
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from withdraw" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from withdraw" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from withdraw" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from withdraw" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from withdraw" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from withdraw" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from withdraw" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "list" -d 'Open proposals (the default), or all of them'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "show" -d 'One proposal: its findings, each team\'s acknowledgment, and its history'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "withdraw" -d 'Close a proposal: the change was abandoned'
complete -c tessera -n "__fish_tessera_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand signers; and not __fish_seen_subcommand_from export help" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand signers; and not __fish_seen_subcommand_from export help" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand signers; and not __fish_seen_subcommand_from export help" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand signers; and not __fish_seen_subcommand_from export help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand signers; and not __fish_seen_subcommand_from export help" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand signers; and not __fish_seen_subcommand_from export help" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand signers; and not __fish_seen_subcommand_from export help" -f -a "export" -d 'Write an allowed_signers file of every registered key (namespace tessera-ack)'
complete -c tessera -n "__fish_tessera_using_subcommand signers; and not __fish_seen_subcommand_from export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand signers; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to this file instead of stdout (`-` is stdout)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand signers; and __fish_seen_subcommand_from export" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand signers; and __fish_seen_subcommand_from export" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand signers; and __fish_seen_subcommand_from export" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand signers; and __fish_seen_subcommand_from export" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand signers; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand signers; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand signers; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write an allowed_signers file of every registered key (namespace tessera-ack)'
complete -c tessera -n "__fish_tessera_using_subcommand signers; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand init" -l dbt-dir -d 'The directory holding dbt_project.yml (default: `.`, else the one directory below that has it)' -r
complete -c tessera -n "__fish_tessera_using_subcommand init" -l owner -d 'The owning team (default: the dbt group that owns most models, else `team-<project>`)' -r
complete -c tessera -n "__fish_tessera_using_subcommand init" -l key -d 'SSH public key to register for you (default: the key `tessera ack` would sign with)' -r
complete -c tessera -n "__fish_tessera_using_subcommand init" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand init" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand init" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand init" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand init" -l consumer -d 'A repository that only reads other teams\' tables: it publishes no contracts, and its dbt sources become what it consumes'
complete -c tessera -n "__fish_tessera_using_subcommand init" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand init" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "install" -d 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and not __fish_seen_subcommand_from install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from install" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from install" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand hook; and __fish_seen_subcommand_from install" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
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
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l reason -d 'Why: kept in the event log with who forced the break or took the claim over' -r
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l force -d 'Record breaking changes that no consumer approved, on purpose (needs --reason)'
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l takeover -d 'Take over the project name or the `owner:` team that another repository or project claimed first (needs --reason; recorded in the event log and shown by `tessera status`)'
complete -c tessera -n "__fish_tessera_using_subcommand sync" -l allow-branch -d 'Publish from a branch other than the default one, a commit that is not its tip, or a work tree with uncommitted changes'
complete -c tessera -n "__fish_tessera_using_subcommand sync" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand sync" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l project -d 'Only this project\'s assets' -r
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand assets" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
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
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -l unmatched -d 'Instead: every registration in the store that matches no asset, with the nearest asset keys'
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand consumers" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand graph" -l format -d 'Output format' -r -f -a "mermaid\t''
dot\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand graph" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand graph" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand graph" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand graph" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand graph" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand graph" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand status" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand status" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand status" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand status" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand status" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand status" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand status" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand serve" -l listen -d 'Address and port to listen on (port 0: any free port, printed at start)' -r
complete -c tessera -n "__fish_tessera_using_subcommand serve" -l max-body -d 'Largest request body accepted, in MiB (a larger one is answered 413)' -r
complete -c tessera -n "__fish_tessera_using_subcommand serve" -l timeout -d 'Seconds one request may take before it is answered 503' -r
complete -c tessera -n "__fish_tessera_using_subcommand serve" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand serve" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand serve" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand serve" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand serve" -l dev -d 'Run without API keys, for trying the API on one machine; refuses anything but loopback'
complete -c tessera -n "__fish_tessera_using_subcommand serve" -l demo -d 'Serve a throwaway store seeded with the shipped examples (the `tessera demo` loop: shop, bi, a published proposal and its signed ack), without keys, on loopback; --store is ignored'
complete -c tessera -n "__fish_tessera_using_subcommand serve" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand serve" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -f -a "create" -d 'Create a key for a team; its secret is printed this once and never stored'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -f -a "list" -d 'List every key (never their secrets)'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -f -a "revoke" -d 'Revoke a key by its id; requests with it are refused from then on'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and not __fish_seen_subcommand_from create list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from create" -l team -d 'The team the key acts for' -r
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from create" -l scope -d 'read: read only; write: also sync, propose and ack for the team; admin: anything, and keys' -r -f -a "read\t''
write\t''
admin\t''"
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from create" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from create" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from create" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from create" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from create" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from list" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from list" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from list" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from revoke" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a key for a team; its secret is printed this once and never stored'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every key (never their secrets)'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a key by its id; requests with it are refused from then on'
complete -c tessera -n "__fish_tessera_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand rules" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c tessera -n "__fish_tessera_using_subcommand rules" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand rules" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand rules" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand rules" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand rules" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand rules" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand completions" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand completions" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand completions" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand completions" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand completions" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand completions" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand man" -l config -d 'Path to tessera.yaml (default: found by walking up to the git top level)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand man" -l store -d 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)' -r
complete -c tessera -n "__fish_tessera_using_subcommand man" -l profiles-dir -d 'Where dbt\'s profiles.yml is (default: the dbt project\'s directory, then ~/.dbt)' -r -F
complete -c tessera -n "__fish_tessera_using_subcommand man" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tessera -n "__fish_tessera_using_subcommand man" -s h -l help -d 'Print help'
complete -c tessera -n "__fish_tessera_using_subcommand man" -s V -l version -d 'Print version'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "demo" -d 'Walk the whole loop on the shipped examples: sync, break, check, impact, signed ack, merge, publish'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "check" -d 'Compare the working tree (or --head) with --base and classify every contract change'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "impact" -d 'Diff a pull request from its merge-base, open proposals for breaking changes, and gate the merge on acks'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "replay" -d 'Replay first-parent history commit by commit through `check --base C^ --head C`, and sum up what would have been blocked'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "ack" -d 'Sign and record your team\'s decision on a proposal (approve, block, or migrating until a date)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "verify" -d 'Re-check every acknowledgment\'s signature and binding, and say why each bad one is rejected'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "proposals" -d 'List, show and withdraw proposals'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "signers" -d 'Export the registered signing keys as an OpenSSH allowed_signers file'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "init" -d 'Write a first tessera.yaml from this repository\'s dbt project, git user and SSH key'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "hook" -d 'Install a plain git pre-commit hook that runs `tessera check`'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "sync" -d 'Write this repository\'s declarations (assets, owners, consumers) to the store'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "assets" -d 'List the assets in the store'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "consumers" -d 'Who reads an asset, and which columns'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "graph" -d 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "status" -d 'Where the store is, its schema version and what it holds'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "serve" -d 'Run the coordination store as an HTTP server for many repositories and CI runners'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "keys" -d 'Create, list and revoke the API keys of a `tessera serve` (needs an admin key)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "rules" -d 'List every compatibility rule with its forward/backward defaults and meaning'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "completions" -d 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "man" -d 'Print the man page (roff) to stdout'
complete -c tessera -n "__fish_tessera_using_subcommand help; and not __fish_seen_subcommand_from demo check impact replay ack verify proposals signers init hook sync assets consumers graph status serve keys rules completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "list" -d 'Open proposals (the default), or all of them'
complete -c tessera -n "__fish_tessera_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "show" -d 'One proposal: its findings, each team\'s acknowledgment, and its history'
complete -c tessera -n "__fish_tessera_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "withdraw" -d 'Close a proposal: the change was abandoned'
complete -c tessera -n "__fish_tessera_using_subcommand help; and __fish_seen_subcommand_from signers" -f -a "export" -d 'Write an allowed_signers file of every registered key (namespace tessera-ack)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "install" -d 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files'
complete -c tessera -n "__fish_tessera_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "create" -d 'Create a key for a team; its secret is printed this once and never stored'
complete -c tessera -n "__fish_tessera_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "list" -d 'List every key (never their secrets)'
complete -c tessera -n "__fish_tessera_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "revoke" -d 'Revoke a key by its id; requests with it are refused from then on'
