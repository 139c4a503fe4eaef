#!/usr/bin/env python3
"""earlypatch test matrix: ESP images per case, parallel QEMU boots, checks and reports.

  matrix.py [options] list      the selected cases
  matrix.py [options] images    build one ESP image per case (OUT/<case>/esp.img) + images.sha256
  matrix.py [options] repro     build every image again from copied inputs; hashes must match
  matrix.py [options] run       boot, check, write junit.xml, summary.md, report.html
  matrix.py [options] report    rewrite the reports from the results already in OUT
  matrix.py [options] check --saved DIR   check saved outputs (DIR/<case>/) without booting

Options: --matrix FILE (repeatable; default images/matrix.txt), --profiles DIR, --build DIR,
--out DIR (default BUILD/matrix), --filter REGEX, --tags T1,T2, --shard k/n, --jobs N.
See docs/testing.md.
"""

import argparse
import datetime
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import build  # noqa: E402
import html as html_report  # noqa: E402  (our html.py shadows the stdlib module on purpose? no: see below)
import reports  # noqa: E402
import run  # noqa: E402
import spec  # noqa: E402
from check import check_case, read_text  # noqa: E402
from decisions import decisions  # noqa: E402
