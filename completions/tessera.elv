
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
            cand --color 'When to use colour'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'Compare the working tree (or --head) with --base and classify every contract change'
            cand hook 'Install a plain git pre-commit hook that runs `tessera check`'
            cand sync 'Write this repository''s declarations (assets, owners, consumers) to the store'
            cand assets 'List the assets in the store'
            cand consumers 'Who reads an asset, and which columns'
            cand graph 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)'
            cand status 'Where the store is, its schema version and what it holds'
            cand rules 'List every compatibility rule with its forward/backward defaults and meaning'
            cand completions 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;check'= {
            cand --base 'The revision to compare against'
            cand --head 'Compare this revision instead of the working tree'
            cand --manifest 'dbt manifest.json of the new side (enriches the YAML, or with --base-manifest replaces git)'
            cand --base-manifest 'dbt manifest.json of the old side (e.g. production''s); with --manifest, no git is needed'
            cand --format 'Output format'
            cand --fail-on 'The lowest severity that fails the run (default: compatibility.fail_on, else ERR)'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --color 'When to use colour'
            cand --staged 'Compare what is staged (the index) instead of the working tree, as a git hook needs'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;hook'= {
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
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
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --color 'When to use colour'
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
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;graph'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
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
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;rules'= {
            cand --format 'Output format'
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;completions'= {
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;man'= {
            cand --config 'Path to tessera.yaml (default: found by walking up to the git top level)'
            cand --store 'The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)'
            cand --color 'When to use colour'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tessera;help'= {
            cand check 'Compare the working tree (or --head) with --base and classify every contract change'
            cand hook 'Install a plain git pre-commit hook that runs `tessera check`'
            cand sync 'Write this repository''s declarations (assets, owners, consumers) to the store'
            cand assets 'List the assets in the store'
            cand consumers 'Who reads an asset, and which columns'
            cand graph 'The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)'
            cand status 'Where the store is, its schema version and what it holds'
            cand rules 'List every compatibility rule with its forward/backward defaults and meaning'
            cand completions 'Print the completion script for a shell (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tessera;help;check'= {
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
