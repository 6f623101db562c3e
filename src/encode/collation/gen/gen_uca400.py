#!/usr/bin/env python3
"""Generate ../uca400-data.ts: UCA 4.0.0 primary weights for utf8mb4_unicode_ci (TiDB's unicode_ci_data.go
is "created from allkeys.txt, Unicode version 4.0.0"). allkeys-4.0.0 is in no package reachable here, so the
weights come from MySQL's own 4.0.0 table inside the MariaDB server binary (see mariadb_bin.py), restricted
to characters assigned by Unicode 4.0 (DerivedAge.txt, Debian unicode-data); all other code points get UCA
implicit weights at run time. Usage: gen_uca400.py /usr/sbin/mariadbd DerivedAge.txt > ../uca400-data.ts"""
import sys
from mariadb_bin import Elf, find_uca400
from uca_common import emit
from gen_general_ci import ages  # noqa: E402 (shared DerivedAge parser)

elf = Elf(sys.argv[1])
age = ages(sys.argv[2])
t = {cp: w for cp, w in find_uca400(elf).items() if age.get(cp, (99,)) <= (4, 0)}
emit('gen_uca400.py', t, 'utf8mb4_unicode_ci: UCA 4.0.0 primary weights (MySQL table), characters assigned by Unicode 4.0.')
