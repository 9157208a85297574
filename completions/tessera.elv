
use builtin;
use str;

set edit:completion:arg-completer[tessera] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'tessera'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'tessera'= {
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand demo 'Walk the whole loop on the shipped examples: sync, break, check, impact, signed ack, merge, publish'
            cand check 'Compare the working tree (or --head) with --base and classify every contract change'
            cand impact 'Diff a pull request from its merge-base, open proposals for breaking changes, and gate the merge on acks'
            cand replay 'Replay first-parent history commit by commit through `check --base C^ --head C`, and sum up what would have been blocked'
            cand ack 'Sign and record your team''s decision on a proposal (approve, block, or migrating until a date)'
            cand verify 'Re-check every acknowledgment''s signature and binding, and say why each bad one is rejected'
            cand proposals 'List, show and withdraw proposals'
            cand signers 'Export the registered signing keys as an OpenSSH allowed_signers file'
            cand init 'Write a first tessera.yaml from this repository''s dbt project, git user and SSH key'
            cand hook 'Install a plain git pre-commit hook that runs `tessera check`'
            cand sync 'Write this repository''s declarations (assets, owners, consumers) to the store'
            cand assets 'List the assets in the store'
            cand consumers 'Who reads an asset, and which columns'
            cand graph 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)'
            cand status 'Where the store is, its schema version and what it holds'
            cand serve 'Run the coordination store as an HTTP server for many repositories and CI runners'
            cand keys 'Create, list and revoke the API keys of a `tessera serve` (needs an admin key)'
            cand rules 'List every compatibility rule with its forward/backward defaults and meaning'
            cand completions 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;demo'= {
            cand --keep 'Build the demo in this directory and leave it there to explore (it must be empty or new)'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;check'= {
            cand --base 'The revision to compare against'
            cand --head 'Compare this revision instead of the working tree'
            cand --manifest 'dbt manifest.json of the new side (enriches the YAML, or with --base-manifest replaces git)'
            cand --base-manifest 'dbt manifest.json of the old side (e.g. production''s); with --manifest, no git is needed'
            cand --catalog 'dbt catalog.json (`dbt docs generate`): column types for both sides (default: `dbt.catalog`)'
            cand --format 'Output format'
            cand --fail-on 'The lowest severity that fails the run (default: compatibility.fail_on, else ERR)'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --staged 'Compare what is staged (the index) instead of the working tree, as a git hook needs'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;impact'= {
            cand --base 'The branch the change merges into (`main`, `origin/main`), or `auto` to read it from CI'
            cand --head 'The change''s last commit'
            cand --change 'Name of the change, which keeps one proposal per asset across re-pushes (default: the CI''s pull-request branch, else the current branch)'
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --propose 'Create or update the proposals in the store'
            cand --require-acks 'Exit 1 until every impacted consumer has approved (the merge gate)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;replay'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;ack'= {
            cand --migrating 'Accept the change once this team has migrated, by this date (the merge waits until then)'
            cand --comment 'A note for the producer, signed with the decision'
            cand --team 'The team you acknowledge for (default: your team among the impacted ones)'
            cand --key 'SSH key to sign with: a private key, or a `.pub` whose private half is in ssh-agent (default: TESSERA_SIGNING_KEY, git''s user.signingkey when gpg.format=ssh, ~/.ssh/id_ed25519)'
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --approve 'Accept the change'
            cand --block 'Refuse the change: the merge stays blocked until this team approves'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;verify'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;proposals'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'Open proposals (the default), or all of them'
            cand show 'One proposal: its findings, each team''s acknowledgment, and its history'
            cand withdraw 'Close a proposal: the change was abandoned'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;proposals;list'= {
            cand --status 'Only proposals with this status'
            cand --asset 'Only proposals for this asset key'
            cand --team 'Only what waits on this team: proposals that impact it and that it has not approved'
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --all 'Every proposal, whatever its status'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;proposals;show'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;proposals;withdraw'= {
            cand --reason 'Why, for the event log'
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;proposals;help'= {
            cand list 'Open proposals (the default), or all of them'
            cand show 'One proposal: its findings, each team''s acknowledgment, and its history'
            cand withdraw 'Close a proposal: the change was abandoned'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;proposals;help;list'= {
        }
        &'tessera;proposals;help;show'= {
        }
        &'tessera;proposals;help;withdraw'= {
        }
        &'tessera;proposals;help;help'= {
        }
        &'tessera;signers'= {
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand export 'Write an allowed_signers file of every registered key (namespace tessera-ack)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;signers;export'= {
            cand -o 'Write to this file instead of stdout (`-` is stdout)'
            cand --output 'Write to this file instead of stdout (`-` is stdout)'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;signers;help'= {
            cand export 'Write an allowed_signers file of every registered key (namespace tessera-ack)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;signers;help;export'= {
        }
        &'tessera;signers;help;help'= {
        }
        &'tessera;init'= {
            cand --dbt-dir 'The directory holding dbt_project.yml (default: `.`, else the one directory below that has it)'
            cand --owner 'The owning team (default: the dbt group that owns most models, else `team-<project>`)'
            cand --key 'SSH public key to register for you (default: the key `tessera ack` would sign with)'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --consumer 'A repository that only reads other teams'' tables: it publishes no contracts, and its dbt sources become what it consumes'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;hook'= {
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;hook;install'= {
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --force 'Replace an existing pre-commit hook'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;hook;help'= {
            cand install 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;hook;help;install'= {
        }
        &'tessera;hook;help;help'= {
        }
        &'tessera;sync'= {
            cand --head 'Sync this revision instead of the working tree'
            cand --manifest 'dbt manifest.json with exposures and cross-project refs (default: `dbt.manifest` when it exists)'
            cand --reason 'Why: kept in the event log with who forced the break or took the claim over'
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --force 'Record breaking changes that no consumer approved, on purpose (needs --reason)'
            cand --takeover 'Take over the project name or the `owner:` team that another repository or project claimed first (needs --reason; recorded in the event log and shown by `tessera status`)'
            cand --allow-branch 'Publish from a branch other than the default one, a commit that is not its tip, or a work tree with uncommitted changes'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;assets'= {
            cand --project 'Only this project''s assets'
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --retired 'Include assets their project no longer declares'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;consumers'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --unmatched 'Instead: every registration in the store that matches no asset, with the nearest asset keys'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;graph'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;status'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;serve'= {
            cand --listen 'Address and port to listen on (port 0: any free port, printed at start)'
            cand --max-body 'Largest request body accepted, in MiB (a larger one is answered 413)'
            cand --timeout 'Seconds one request may take before it is answered 503'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand --dev 'Run without API keys, for trying the API on one machine; refuses anything but loopback'
            cand --demo 'Serve a throwaway store seeded with the shipped examples (the `tessera demo` loop: shop, bi, a published proposal and its signed ack), without keys, on loopback; --store is ignored'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;keys'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a key for a team; its secret is printed this once and never stored'
            cand list 'List every key (never their secrets)'
            cand revoke 'Revoke a key by its id; requests with it are refused from then on'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;keys;create'= {
            cand --team 'The team the key acts for'
            cand --scope 'read: read only; write: also sync, propose and ack for the team; admin: anything, and keys'
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;keys;list'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;keys;revoke'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;keys;help'= {
            cand create 'Create a key for a team; its secret is printed this once and never stored'
            cand list 'List every key (never their secrets)'
            cand revoke 'Revoke a key by its id; requests with it are refused from then on'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;keys;help;create'= {
        }
        &'tessera;keys;help;list'= {
        }
        &'tessera;keys;help;revoke'= {
        }
        &'tessera;keys;help;help'= {
        }
        &'tessera;rules'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;completions'= {
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;man'= {
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --profiles-dir 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;help'= {
            cand demo 'Walk the whole loop on the shipped examples: sync, break, check, impact, signed ack, merge, publish'
            cand check 'Compare the working tree (or --head) with --base and classify every contract change'
            cand impact 'Diff a pull request from its merge-base, open proposals for breaking changes, and gate the merge on acks'
            cand replay 'Replay first-parent history commit by commit through `check --base C^ --head C`, and sum up what would have been blocked'
            cand ack 'Sign and record your team''s decision on a proposal (approve, block, or migrating until a date)'
            cand verify 'Re-check every acknowledgment''s signature and binding, and say why each bad one is rejected'
            cand proposals 'List, show and withdraw proposals'
            cand signers 'Export the registered signing keys as an OpenSSH allowed_signers file'
            cand init 'Write a first tessera.yaml from this repository''s dbt project, git user and SSH key'
            cand hook 'Install a plain git pre-commit hook that runs `tessera check`'
            cand sync 'Write this repository''s declarations (assets, owners, consumers) to the store'
            cand assets 'List the assets in the store'
            cand consumers 'Who reads an asset, and which columns'
            cand graph 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)'
            cand status 'Where the store is, its schema version and what it holds'
            cand serve 'Run the coordination store as an HTTP server for many repositories and CI runners'
            cand keys 'Create, list and revoke the API keys of a `tessera serve` (needs an admin key)'
            cand rules 'List every compatibility rule with its forward/backward defaults and meaning'
            cand completions 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;help;demo'= {
        }
        &'tessera;help;check'= {
        }
        &'tessera;help;impact'= {
        }
        &'tessera;help;replay'= {
        }
        &'tessera;help;ack'= {
        }
        &'tessera;help;verify'= {
        }
        &'tessera;help;proposals'= {
            cand list 'Open proposals (the default), or all of them'
            cand show 'One proposal: its findings, each team''s acknowledgment, and its history'
            cand withdraw 'Close a proposal: the change was abandoned'
        }
        &'tessera;help;proposals;list'= {
        }
        &'tessera;help;proposals;show'= {
        }
        &'tessera;help;proposals;withdraw'= {
        }
        &'tessera;help;signers'= {
            cand export 'Write an allowed_signers file of every registered key (namespace tessera-ack)'
        }
        &'tessera;help;signers;export'= {
        }
        &'tessera;help;init'= {
        }
        &'tessera;help;hook'= {
            cand install 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files'
        }
        &'tessera;help;hook;install'= {
        }
        &'tessera;help;sync'= {
        }
        &'tessera;help;assets'= {
        }
        &'tessera;help;consumers'= {
        }
        &'tessera;help;graph'= {
        }
        &'tessera;help;status'= {
        }
        &'tessera;help;serve'= {
        }
        &'tessera;help;keys'= {
            cand create 'Create a key for a team; its secret is printed this once and never stored'
            cand list 'List every key (never their secrets)'
            cand revoke 'Revoke a key by its id; requests with it are refused from then on'
        }
        &'tessera;help;keys;create'= {
        }
        &'tessera;help;keys;list'= {
        }
        &'tessera;help;keys;revoke'= {
        }
        &'tessera;help;rules'= {
        }
        &'tessera;help;completions'= {
        }
        &'tessera;help;man'= {
        }
        &'tessera;help;help'= {
        }
    ]
    $completions[$command]
}
