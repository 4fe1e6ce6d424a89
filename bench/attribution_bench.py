#!/usr/bin/env python3
"""Failure attribution on real multi-agent transcripts: `baton import transcript` + `baton why
--json` over every Who&When hand-crafted log, scored against the human labels (mistake_agent,
mistake_step), beside three trivial baselines computed in the same run.

  bench/attribution_bench.py [BATON] [DIR]

BATON defaults to build/bin/baton, DIR to ../shared/corpora-external/who-and-when/hand-crafted.
DIR may be any folder of logs labelled the same way: Who&When's other part (126 AG2 group
chats, Who&When/Algorithm-Generated in ag2ai/Agents_Failure_Attribution) is the check on a
system the rules were not written from; it is not checked in here.
The labels are read here, to score; the importer never reads them (transcript_import_test).
Reference (the dataset's paper): the best method, an LLM reading the whole log, names the agent
53.5% of the time and the step 14.2%.
"""
import collections
import glob
import json
import os
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
baton = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build/bin/baton")
folder = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    root, "../shared/corpora-external/who-and-when/hand-crafted")


def agent_of(entry):
    label = entry.get("name") or entry.get("role")
    return "Orchestrator" if label.startswith("Orchestrator (") else label


scores = collections.defaultdict(lambda: [0, 0])  # method -> [agent hits, step hits]
files = sorted(glob.glob(os.path.join(folder, "*.json")), key=lambda p: int(os.path.basename(p)[:-5])
               if os.path.basename(p)[:-5].isdigit() else 0)
with tempfile.TemporaryDirectory() as tmp:
    for path in files:
        doc = json.load(open(path))
        history = doc["history"]
        want_agent, want_step = doc["mistake_agent"], int(doc["mistake_step"])
        out = os.path.join(tmp, "t.baton")
        subprocess.run([baton, "import", "transcript", path, "-o", out], check=True,
                       capture_output=True)
        why = subprocess.run([baton, "why", "--json", out], capture_output=True, text=True)
        cause = (json.loads(why.stdout).get("root_cause") or {}) if why.stdout else {}
        agents = [agent_of(e) for e in history]
        counts = collections.Counter(a for a in agents if a != "human")
        majority = counts.most_common(1)[0][0]
        first_worker = next((i for i, a in enumerate(agents) if a not in ("human", "Orchestrator")),
                            len(agents) - 1)
        guesses = {
            "baton why": (cause.get("agent"), cause.get("step")),
            "majority agent (its first step)": (majority, agents.index(majority)),
            "first non-orchestrator agent, first step": (agents[first_worker], first_worker),
            "agent of the last entry": (agents[-1], len(agents) - 1),
        }
        for method, (agent, step) in guesses.items():
            scores[method][0] += agent == want_agent
            scores[method][1] += step == want_step

n = len(files)
print(f"{n} labelled logs in {os.path.relpath(folder)}")
print(f"{'method':45} {'agent':>8} {'step':>8}")
for method, (agent_hits, step_hits) in scores.items():
    print(f"{method:45} {100 * agent_hits / n:7.1f}% {100 * step_hits / n:7.1f}%")
    key = method.split(" (")[0].split(",")[0].replace(" ", "_")
    print(f"figure attribution.{key}.agent_pct value={100 * agent_hits / n:.1f}")
    print(f"figure attribution.{key}.step_pct value={100 * step_hits / n:.1f}")
