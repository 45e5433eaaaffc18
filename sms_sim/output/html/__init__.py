"""Output as one self-contained HTML page: what it shows of a run or a
plan (``pages``), its markup (``render``) and its charts (``svg``)."""
