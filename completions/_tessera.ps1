
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
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the working tree (or --head) with --base and classify every contract change')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Install a plain git pre-commit hook that runs `tessera check`')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Write this repository''s declarations (assets, owners, consumers) to the store')
            [CompletionResult]::new('assets', 'assets', [CompletionResultType]::ParameterValue, 'List the assets in the store')
            [CompletionResult]::new('consumers', 'consumers', [CompletionResultType]::ParameterValue, 'Who reads an asset, and which columns')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Where the store is, its schema version and what it holds')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List every compatibility rule with its forward/backward defaults and meaning')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;check' {
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'The revision to compare against')
            [CompletionResult]::new('--head', '--head', [CompletionResultType]::ParameterName, 'Compare this revision instead of the working tree')
            [CompletionResult]::new('--manifest', '--manifest', [CompletionResultType]::ParameterName, 'dbt manifest.json of the new side (enriches the YAML, or with --base-manifest replaces git)')
            [CompletionResult]::new('--base-manifest', '--base-manifest', [CompletionResultType]::ParameterName, 'dbt manifest.json of the old side (e.g. production''s); with --manifest, no git is needed')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'The lowest severity that fails the run (default: compatibility.fail_on, else ERR)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--staged', '--staged', [CompletionResultType]::ParameterName, 'Compare what is staged (the index) instead of the working tree, as a git hook needs')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;hook' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
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
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
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
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
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
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;rules' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Path to tessera.yaml (default: found by walking up to the git top level)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)')
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
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tessera;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the working tree (or --head) with --base and classify every contract change')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Install a plain git pre-commit hook that runs `tessera check`')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Write this repository''s declarations (assets, owners, consumers) to the store')
            [CompletionResult]::new('assets', 'assets', [CompletionResultType]::ParameterValue, 'List the assets in the store')
            [CompletionResult]::new('consumers', 'consumers', [CompletionResultType]::ParameterValue, 'Who reads an asset, and which columns')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Where the store is, its schema version and what it holds')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List every compatibility rule with its forward/backward defaults and meaning')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tessera;help;check' {
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
