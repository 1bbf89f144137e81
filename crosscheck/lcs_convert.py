#!/usr/bin/env python3
"""Converts an oracleGeneral trace to lcs with libCacheSim's own converter.

    lcs_convert.py IN OUT VERSION

VERSION is the lcs record version, 1 to 8. wsim's cross-check reads what
libCacheSim writes.
"""

import sys

import libcachesim as lcs

if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(f"usage: {sys.argv[0]} IN OUT VERSION")
    source, target, version = sys.argv[1], sys.argv[2], int(sys.argv[3])
    reader = lcs.TraceReader(trace=source, trace_type=lcs.TraceType.ORACLE_GENERAL_TRACE)
    lcs.Util.convert_to_lcs(reader._reader, target, lcs_ver=version)
