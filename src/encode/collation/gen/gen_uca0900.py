#!/usr/bin/env python3
"""Generate ../uca0900-data.ts: DUCET 9.0.0 primary weights for utf8mb4_0900_ai_ci.

Input: allkeys-9.0.0.txt (Debian package python3-pyuca ships it). Code points absent from the table get
UCA implicit weights at run time (see ../uca.ts). Usage: gen_uca0900.py allkeys-9.0.0.txt > ../uca0900-data.ts
"""
import sys
from uca_common import parse_allkeys, emit

# TiDB's table stops at U+2CEA1 (end of CJK ext E); beyond it every code point is implicit (FBC0 base)
t = {cp: w for cp, w in parse_allkeys(sys.argv[1]).items() if cp <= 0x2CEA1}
emit('gen_uca0900.py', t, 'utf8mb4_0900_ai_ci: DUCET (allkeys) 9.0.0 primary weights, explicit entries only.')
