"""A matrix case's expectations as LAVA test cases: one monitor, one pattern, and how its results read back.

LAVA's monitor test action (lava_dispatcher/actions/test/monitor.py) watches the console for one
regex (`pattern`) until another (`end`) matches; each match of `pattern` is a test case whose name is
the text of its `test_case_id` group and whose result is its `result` group (through `fixupdict`).
pexpect consumes the console up to each match and searches only the last 4000 characters, so the
expectations cannot be separate, ordered steps (the checker's regexes match anywhere in the log, in
any order): every console line is tested against all of them at once by one pattern, an alternation.
Python's re allows a group name once, so the alternatives set marker groups and the two groups LAVA
reads are built after them with conditionals: `(?(marker)yes|no)`.

Two kinds of test case come out of one console line (each line is matched at most once):

- decided on the line (`Decided`): the line the checker reads a value from (`I hypercall`, `I cpu
  features`, `selftest result=`, qemu's exit status printed by images/lava/qemu-run.sh, and every
  `selftest check=` line). The test case is the line's start (`i_hypercall_mechanism_vmmcall_reason_
  sev_snp_guest`, `i_cpu_features`, `selftest_result_pass`, `earlypatch_lava_qemu_exit_33`,
  `selftest_check_alt_avx2`) and its result is pass when the expectation holds on the line, fail
  otherwise. A missing line is a missing test case: the result reader turns it into a failure.
- line regexes (`LineRegex`: expect, reject, console, debugcon, no-debugcon): a line matching any of
  them is a test case named after the whole line, fail when a reject/no-debugcon regex matches it,
  pass otherwise. The reader attributes each reported line to the regexes it matches (so one line can
  satisfy several), an expect that no reported line matches fails, a reject that none matches holds.

Pass is an empty `result` group; fail is the one character after the test case's text (a space,
`=`, `"` or the line end), so `fixupdict` maps "" to pass and those characters to fail. A line is
matched only once it is complete (its line end is in the buffer): a half-received line never decides.
"""

import re
from dataclasses import dataclass, field

DEFINITION = "earlypatch"           # the monitor's name: LAVA's test suite for these test cases
FIRMWARE_DEFINITION = "earlypatch-firmware"  # the console before the app, for `console` regexes
EXIT_LINE = "earlypatch-lava: qemu-exit="
END_LINE = "earlypatch-lava: end"   # qemu-run.sh prints it after the exit line
APP_START = "I earlypatch version="
FAIL_CHARS = ' \r\n="'
FIXUPDICT = {"": "pass", **{c: "fail" for c in FAIL_CHARS}}
LINE_END = r"[\r\n]"
NOT_EOL = r"[^\r\n]"

# The regex keys the monitor turns into LineRegex test cases: (key, where the checker looks, negative).
REGEX_KEYS = [("expect", "log", False), ("reject", "log", True), ("console", "console", False),
              ("debugcon", "debugcon", False), ("no-debugcon", "debugcon", True)]


def eol_dollar(rx):
    """rx with each `$` (end of line, outside a character class, not escaped) also allowing the \\r
    a serial console puts before \\n: `(?=\\r*$)`."""
    out, i, in_class, opened = [], 0, False, 0
    while i < len(rx):
        c = rx[i]
        if c == "\\":
            out.append(rx[i:i + 2])
            i += 2
            continue
        if in_class:
            # `]` right after `[` or `[^` is a literal, not the class's end
            first = i == opened + 1 or (i == opened + 2 and rx[opened + 1] == "^")
            if c == "]" and not first:
                in_class = False
            out.append(c)
        elif c == "[":
            in_class, opened = True, i
            out.append(c)
        elif c == "$":
            out.append(r"(?=\r*$)")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def in_line(rx):
    """A lookahead body that holds at a line start when rx matches somewhere in that line
    (no DOTALL for rx: pexpect compiles every pattern with re.DOTALL)."""
    return f"{NOT_EOL}*?(?-s:{eol_dollar(rx)})"


def word_in_features(name):
    return rf'{NOT_EOL}*?features="(?:[^"\r\n]* )?{re.escape(name)}[ "]'


@dataclass
class Decided:
    """A value the checker reads from one line, decided on that line."""
    key: str          # hypercall, features, selftest, exit, selftest-check
    what: str         # the checker's name for the check ("hypercall = vmmcall sev-snp-guest")
    trigger: str      # regex: the line starts so
    ident: str        # regex: the test case's text (from the line start)
    holds: list       # lookahead bodies at the line start, all true when the expectation holds
    fails: list = field(default_factory=list)  # lookahead bodies, none may be true
    missing_ok: bool = False                   # no such line: the expectation holds
    missing_why: str = ""

    def regex(self):
        """The line decides pass: a lookahead-only regex (the reader applies it to reported text)."""
        return "".join(f"(?={h})" for h in self.holds) + "".join(f"(?!{f})" for f in self.fails)


@dataclass
class LineRegex:
    key: str
    where: str
    rx: str
    negative: bool

    @property
    def what(self):
        return f"{self.where} {'lacks' if self.negative else 'has'} /{self.rx}/"


def decided_checks(case, qemu=True):
    """The Decided test cases of a case; `qemu`: the job runs qemu-run.sh, which prints QEMU's exit."""
    out = []
    hc = case.get("hypercall")
    if hc:
        parts = hc.split()
        holds = [rf"I hypercall (?:{NOT_EOL}* )?mechanism={re.escape(parts[0])}(?![^ \r\n])"]
        if len(parts) > 1:
            holds.append(rf"I hypercall (?:{NOT_EOL}* )?reason={re.escape(parts[1])}(?![^ \r\n])")
        out.append(Decided("hypercall", f"hypercall = {hc}", "I hypercall ",
                           r"I hypercall(?: mechanism=[^ \r\n]*)?(?: reason=[^ \r\n]*)?", holds,
                           missing_why="no 'I hypercall' line"))
    words = [w for v in case.values("features") for w in v.split()]
    if words:
        holds = [word_in_features(w[1:]) for w in words if w[0] == "+"]
        fails = [word_in_features(w[1:]) for w in words if w[0] == "-"]
        out.append(Decided("features", "features " + " ".join(words), "I cpu features=", r"I cpu features",
                           holds, fails, missing_why="no 'I cpu features' line"))
    want = case.get("selftest")
    if want:
        d = Decided("selftest", f"selftest = {want}", "selftest result=", r"selftest result=\w*",
                    [rf"selftest result={want}(?!\w)"] if want != "none" else [r"(?!)"],
                    missing_ok=want == "none", missing_why=f"selftest none, want {want}")
        out.append(d)
    if qemu:
        ex = case.get("exit", "0")
        out.append(Decided("exit", f"exit = {ex}", re.escape(EXIT_LINE), re.escape(EXIT_LINE) + r"[^ \r\n]*",
                           [re.escape(EXIT_LINE + ex) + r"(?![^ \r\n])"], missing_why=f"exit missing, want {ex}"))
    # Every selftest check line: reported for the lab's eyes; the verdict uses no-debugcon for them.
    out.append(Decided("selftest-check", "selftest check", "selftest check=", r"selftest check=[^ \r\n]+",
                       [rf"{NOT_EOL}* PASS\r*$"], missing_ok=True))
    return out


def line_regexes(case, keys=REGEX_KEYS):
    return [LineRegex(k, where, rx, neg) for k, where, neg in keys for rx in case.values(k)]


def monitor_pattern(decided, regexes, keep_rest=()):
    """The one regex of the monitor (see the module's docstring). `keep_rest`: the keys of Decided
    checks whose line is consumed only up to the test case's text and result (end_pattern(False)
    ends the monitor on what follows)."""
    alts, ids, results = [], [], []
    if regexes:
        marks = "".join(f"(?=(?P<n{i}>{in_line(r.rx)})?)" for i, r in enumerate(regexes) if r.negative)
        anyrx = "|".join(in_line(r.rx) for r in regexes)
        alts.append(f"{marks}(?={anyrx})(?P<L>)")
        negs = [i for i, r in enumerate(regexes) if r.negative]
        res = ""
        for i in reversed(negs):
            res = f"(?(n{i}){LINE_END}|{res})"
        ids.append(("L", f"{NOT_EOL}*"))
        results.append(("L", res))
    for k, d in enumerate(decided):
        alts.append(f"(?={d.trigger})(?=(?P<p{k}>{d.regex()}{NOT_EOL})?)(?P<k{k}>)")
        ids.append((f"k{k}", d.ident))
        results.append((f"k{k}", f"(?(p{k})|[{re.escape(FAIL_CHARS)}])"))

    def chain(pairs, last):
        out = last
        for mark, body in reversed(pairs):
            out = f"(?({mark}){body}|{out})"
        return out

    rest = f"{NOT_EOL}*"
    for k, d in enumerate(decided):
        if d.key in keep_rest:
            rest = f"(?(k{k})|{rest})"
    return (rf"(?m)^(?={NOT_EOL}*\r*\n)(?:{'|'.join(alts)})"
            f"(?P<test_case_id>{chain(ids, '(?!)')})(?P<result>{chain(results, '')}){rest}")


def start_pattern():
    """Zero-width: the monitor starts at the app's first line (or at the exit line of a guest that
    never ran it) without consuming it."""
    return f"(?={re.escape(APP_START)}|{re.escape(EXIT_LINE)})"


def end_pattern(qemu=True):
    """QEMU jobs end at qemu-run.sh's last line. A device without it ends after the selftest result
    line: the pattern consumes that line only up to `selftest result=WORD` and its result (the
    test case's text), and the end is what follows, at the start of the buffer (\\A: pexpect
    searches a copy of its buffer, which starts right after the last match)."""
    if qemu:
        return re.escape(END_LINE)
    return r"\A ?passed=\d"


def firmware_end_pattern():
    """The firmware monitor (the console before the app) ends, without consuming, where the main
    one starts."""
    return start_pattern()


def lava_case_name(text):
    """LAVA's test case name for a test_case_id text (monitor.py: strip, lower, \\W+ -> _)."""
    return re.sub(r"\W+", "_", text.strip().lower())


def simulate_monitor(console, monitors, chunk=2000, window=4000):
    """What LAVA's monitors (in a row, on one connection) report for a console stream:
    [(test_case_id text, result)], and whether the last one saw its end. It follows pexpect's search
    (earliest match first, `end` before `pattern` on a tie, only the last `window` characters
    searched, the buffer consumed up to each match) closely enough for images/lava/test_lava.py."""
    flags = re.DOTALL
    buf, out, pos = "", [], 0
    for mon in monitors:
        startre, endre, pat = (re.compile(mon[k], flags) for k in ("start", "end", "pattern"))
        started, ended = False, False
        while not ended:
            progressed = False
            win = buf[-window:]
            if not started:
                m = startre.search(win)
                if m:
                    buf, started, progressed = win[m.start():], True, True
            else:
                me, mp = endre.search(win), pat.search(win)
                if me and (not mp or me.start() <= mp.start()):
                    buf, ended = win[me.end():], True
                    continue
                if mp:
                    g = mp.groupdict()
                    res = g["result"]
                    out.append((g["test_case_id"].strip(), FIXUPDICT.get(res, res)))
                    buf, progressed = win[mp.end():], True
            if not progressed:
                if pos >= len(console):
                    return out, False
                buf += console[pos:pos + chunk]
                pos += chunk
    return out, True
