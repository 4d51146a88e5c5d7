"""The audit flow: every school of a board through the one Checker, then the board's reports.

    discover.py  which schools are in the folder (files/folders, roster names, safe ids)
    cache.py     content-hash cache of analysed schools
    run.py       check every school in worker processes (policy_kit.parallel)
    compare.py   year-over-year: an earlier report's statuses
    reports.py   index.html, letters, CSV, XLSX, JSON"""
