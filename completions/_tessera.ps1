
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'tessera' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'tessera'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'tessera' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Walk the whole loop on the shipped examples: sync, break, check, impact, signed ack, merge, publish')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the working tree (or --head) with --base and classify every contract change')
            [CompletionResult]::new('impact', 'impact', [CompletionResultType]::ParameterValue, 'Diff a pull request from its merge-base, open proposals for breaking changes, and gate the merge on acks')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Replay first-parent history commit by commit through `check --base C^ --head C`, and sum up what would have been blocked')
            [CompletionResult]::new('ack', 'ack', [CompletionResultType]::ParameterValue, 'Sign and record your team''s decision on a proposal (approve, block, or migrating until a date)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Re-check every acknowledgment''s signature and binding, and say why each bad one is rejected')
            [CompletionResult]::new('proposals', 'proposals', [CompletionResultType]::ParameterValue, 'List, show and withdraw proposals')
            [CompletionResult]::new('signers', 'signers', [CompletionResultType]::ParameterValue, 'Export the registered signing keys as an OpenSSH allowed_signers file')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a first tessera.yaml from this repository''s dbt project, git user and SSH key')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Install a plain git pre-commit hook that runs `tessera check`')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Write this repository''s declarations (assets, owners, consumers) to the store')
            [CompletionResult]::new('assets', 'assets', [CompletionResultType]::ParameterValue, 'List the assets in the store')
            [CompletionResult]::new('consumers', 'consumers', [CompletionResultType]::ParameterValue, 'Who reads an asset, and which columns')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Where the store is, its schema version and what it holds')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the coordination store as an HTTP server for many repositories and CI runners')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Create, list and revoke the API keys of a `tessera serve` (needs an admin key)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List every compatibility rule with its forward/backward defaults and meaning')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;demo' {
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Build the demo in this directory and leave it there to explore (it must be empty or new)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;check' {
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'The revision to compare against')
            [CompletionResult]::new('--head', '--head', [CompletionResultType]::ParameterName, 'Compare this revision instead of the working tree')
            [CompletionResult]::new('--manifest', '--manifest', [CompletionResultType]::ParameterName, 'dbt manifest.json of the new side (enriches the YAML, or with --base-manifest replaces git)')
            [CompletionResult]::new('--base-manifest', '--base-manifest', [CompletionResultType]::ParameterName, 'dbt manifest.json of the old side (e.g. production''s); with --manifest, no git is needed')
            [CompletionResult]::new('--catalog', '--catalog', [CompletionResultType]::ParameterName, 'dbt catalog.json (`dbt docs generate`): column types for both sides (default: `dbt.catalog`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'The lowest severity that fails the run (default: compatibility.fail_on, else ERR)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--staged', '--staged', [CompletionResultType]::ParameterName, 'Compare what is staged (the index) instead of the working tree, as a git hook needs')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;impact' {
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'The branch the change merges into (`main`, `origin/main`), or `auto` to read it from CI')
            [CompletionResult]::new('--head', '--head', [CompletionResultType]::ParameterName, 'The change''s last commit')
            [CompletionResult]::new('--change', '--change', [CompletionResultType]::ParameterName, 'Name of the change, which keeps one proposal per asset across re-pushes (default: the CI''s pull-request branch, else the current branch)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--propose', '--propose', [CompletionResultType]::ParameterName, 'Create or update the proposals in the store')
            [CompletionResult]::new('--require-acks', '--require-acks', [CompletionResultType]::ParameterName, 'Exit 1 until every impacted consumer has approved (the merge gate)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;replay' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;ack' {
            [CompletionResult]::new('--migrating', '--migrating', [CompletionResultType]::ParameterName, 'Accept the change once this team has migrated, by this date (the merge waits until then)')
            [CompletionResult]::new('--comment', '--comment', [CompletionResultType]::ParameterName, 'A note for the producer, signed with the decision')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'The team you acknowledge for (default: your team among the impacted ones)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'SSH key to sign with: a private key, or a `.pub` whose private half is in ssh-agent (default: TESSERA_SIGNING_KEY, git''s user.signingkey when gpg.format=ssh, ~/.ssh/id_ed25519)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--approve', '--approve', [CompletionResultType]::ParameterName, 'Accept the change')
            [CompletionResult]::new('--block', '--block', [CompletionResultType]::ParameterName, 'Refuse the change: the merge stays blocked until this team approves')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;verify' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;proposals' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Open proposals (the default), or all of them')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One proposal: its findings, each team''s acknowledgment, and its history')
            [CompletionResult]::new('withdraw', 'withdraw', [CompletionResultType]::ParameterValue, 'Close a proposal: the change was abandoned')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;proposals;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only proposals with this status')
            [CompletionResult]::new('--asset', '--asset', [CompletionResultType]::ParameterName, 'Only proposals for this asset key')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Only what waits on this team: proposals that impact it and that it has not approved')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every proposal, whatever its status')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;proposals;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;proposals;withdraw' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, for the event log')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;proposals;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Open proposals (the default), or all of them')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One proposal: its findings, each team''s acknowledgment, and its history')
            [CompletionResult]::new('withdraw', 'withdraw', [CompletionResultType]::ParameterValue, 'Close a proposal: the change was abandoned')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;proposals;help;list' {
            break
        }
        'tessera;proposals;help;show' {
            break
        }
        'tessera;proposals;help;withdraw' {
            break
        }
        'tessera;proposals;help;help' {
            break
        }
        'tessera;signers' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write an allowed_signers file of every registered key (namespace tessera-ack)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;signers;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout (`-` is stdout)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout (`-` is stdout)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;signers;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write an allowed_signers file of every registered key (namespace tessera-ack)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;signers;help;export' {
            break
        }
        'tessera;signers;help;help' {
            break
        }
        'tessera;init' {
            [CompletionResult]::new('--dbt-dir', '--dbt-dir', [CompletionResultType]::ParameterName, 'The directory holding dbt_project.yml (default: `.`, else the one directory below that has it)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'The owning team (default: the dbt group that owns most models, else `team-<project>`)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'SSH public key to register for you (default: the key `tessera ack` would sign with)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--consumer', '--consumer', [CompletionResultType]::ParameterName, 'A repository that only reads other teams'' tables: it publishes no contracts, and its dbt sources become what it consumes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;hook' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;hook;install' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing pre-commit hook')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;hook;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;hook;help;install' {
            break
        }
        'tessera;hook;help;help' {
            break
        }
        'tessera;sync' {
            [CompletionResult]::new('--head', '--head', [CompletionResultType]::ParameterName, 'Sync this revision instead of the working tree')
            [CompletionResult]::new('--manifest', '--manifest', [CompletionResultType]::ParameterName, 'dbt manifest.json with exposures and cross-project refs (default: `dbt.manifest` when it exists)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: kept in the event log with who forced the break or took the claim over')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Record breaking changes that no consumer approved, on purpose (needs --reason)')
            [CompletionResult]::new('--takeover', '--takeover', [CompletionResultType]::ParameterName, 'Take over the project name or the `owner:` team that another repository or project claimed first (needs --reason; recorded in the event log and shown by `tessera status`)')
            [CompletionResult]::new('--allow-branch', '--allow-branch', [CompletionResultType]::ParameterName, 'Publish from a branch other than the default one, a commit that is not its tip, or a work tree with uncommitted changes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;assets' {
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Only this project''s assets')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--retired', '--retired', [CompletionResultType]::ParameterName, 'Include assets their project no longer declares')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;consumers' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--unmatched', '--unmatched', [CompletionResultType]::ParameterName, 'Instead: every registration in the store that matches no asset, with the nearest asset keys')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;graph' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;status' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address and port to listen on (port 0: any free port, printed at start)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest request body accepted, in MiB (a larger one is answered 413)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds one request may take before it is answered 503')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--dev', '--dev', [CompletionResultType]::ParameterName, 'Run without API keys, for trying the API on one machine; refuses anything but loopback')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Serve a throwaway store seeded with the shipped examples (the `tessera demo` loop: shop, bi, a published proposal and its signed ack), without keys, on loopback; --store is ignored')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;keys' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key for a team; its secret is printed this once and never stored')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every key (never their secrets)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a key by its id; requests with it are refused from then on')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;keys;create' {
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'The team the key acts for')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'read: read only; write: also sync, propose and ack for the team; admin: anything, and keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;keys;list' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;keys;revoke' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;keys;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key for a team; its secret is printed this once and never stored')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every key (never their secrets)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a key by its id; requests with it are refused from then on')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;keys;help;create' {
            break
        }
        'tessera;keys;help;list' {
            break
        }
        'tessera;keys;help;revoke' {
            break
        }
        'tessera;keys;help;help' {
            break
        }
        'tessera;rules' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;man' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--profiles-dir', '--profiles-dir', [CompletionResultType]::ParameterName, 'Where dbt''s profiles.yml is (default: the dbt project''s directory, then ~/.dbt)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;help' {
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Walk the whole loop on the shipped examples: sync, break, check, impact, signed ack, merge, publish')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the working tree (or --head) with --base and classify every contract change')
            [CompletionResult]::new('impact', 'impact', [CompletionResultType]::ParameterValue, 'Diff a pull request from its merge-base, open proposals for breaking changes, and gate the merge on acks')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Replay first-parent history commit by commit through `check --base C^ --head C`, and sum up what would have been blocked')
            [CompletionResult]::new('ack', 'ack', [CompletionResultType]::ParameterValue, 'Sign and record your team''s decision on a proposal (approve, block, or migrating until a date)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Re-check every acknowledgment''s signature and binding, and say why each bad one is rejected')
            [CompletionResult]::new('proposals', 'proposals', [CompletionResultType]::ParameterValue, 'List, show and withdraw proposals')
            [CompletionResult]::new('signers', 'signers', [CompletionResultType]::ParameterValue, 'Export the registered signing keys as an OpenSSH allowed_signers file')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a first tessera.yaml from this repository''s dbt project, git user and SSH key')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Install a plain git pre-commit hook that runs `tessera check`')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Write this repository''s declarations (assets, owners, consumers) to the store')
            [CompletionResult]::new('assets', 'assets', [CompletionResultType]::ParameterValue, 'List the assets in the store')
            [CompletionResult]::new('consumers', 'consumers', [CompletionResultType]::ParameterValue, 'Who reads an asset, and which columns')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Where the store is, its schema version and what it holds')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the coordination store as an HTTP server for many repositories and CI runners')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Create, list and revoke the API keys of a `tessera serve` (needs an admin key)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List every compatibility rule with its forward/backward defaults and meaning')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;help;demo' {
            break
        }
        'tessera;help;check' {
            break
        }
        'tessera;help;impact' {
            break
        }
        'tessera;help;replay' {
            break
        }
        'tessera;help;ack' {
            break
        }
        'tessera;help;verify' {
            break
        }
        'tessera;help;proposals' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Open proposals (the default), or all of them')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One proposal: its findings, each team''s acknowledgment, and its history')
            [CompletionResult]::new('withdraw', 'withdraw', [CompletionResultType]::ParameterValue, 'Close a proposal: the change was abandoned')
            break
        }
        'tessera;help;proposals;list' {
            break
        }
        'tessera;help;proposals;show' {
            break
        }
        'tessera;help;proposals;withdraw' {
            break
        }
        'tessera;help;signers' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write an allowed_signers file of every registered key (namespace tessera-ack)')
            break
        }
        'tessera;help;signers;export' {
            break
        }
        'tessera;help;init' {
            break
        }
        'tessera;help;hook' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write .git/hooks/pre-commit, which runs `tessera check` on the staged files')
            break
        }
        'tessera;help;hook;install' {
            break
        }
        'tessera;help;sync' {
            break
        }
        'tessera;help;assets' {
            break
        }
        'tessera;help;consumers' {
            break
        }
        'tessera;help;graph' {
            break
        }
        'tessera;help;status' {
            break
        }
        'tessera;help;serve' {
            break
        }
        'tessera;help;keys' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key for a team; its secret is printed this once and never stored')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every key (never their secrets)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a key by its id; requests with it are refused from then on')
            break
        }
        'tessera;help;keys;create' {
            break
        }
        'tessera;help;keys;list' {
            break
        }
        'tessera;help;keys;revoke' {
            break
        }
        'tessera;help;rules' {
            break
        }
        'tessera;help;completions' {
            break
        }
        'tessera;help;man' {
            break
        }
        'tessera;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
