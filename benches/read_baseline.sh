#!/bin/sh
# Run inside the generated project (benches/gen_dbt_project.py), after its one-file edit.
# The least any tool must read for this change, in two git processes: which files changed (git
# stats the whole tree), then the base versions of the changed property file and of the ten
# models it describes, and their working-tree versions.
git diff --name-only HEAD >/dev/null
printf 'HEAD:models/area_00/%s\n' _props_0000.yml model_0000_00.sql model_0000_01.sql model_0000_02.sql \
  model_0000_03.sql model_0000_04.sql model_0000_05.sql model_0000_06.sql model_0000_07.sql \
  model_0000_08.sql model_0000_09.sql | git cat-file --batch >/dev/null
cat models/area_00/_props_0000.yml models/area_00/model_0000_0?.sql >/dev/null
