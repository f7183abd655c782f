"""`jygproj check` on big sheets: a 20,000-row register and a 20,000-row scheduling table laid out the
way offices send them (merged title, unit line, two-row header, 合计, section rows, numbers as text),
and on the embedded sample workbooks when they exist; and the command end to end on one register
of the sample, as a user types it (Python's start and the imports included: goal ≤ 0.4 s, issue 18).

Run alone: `.venv/bin/python -m benchmarks.bench_check [N_ROWS]` prints the figures;
`make bench` runs it with the others through the harness.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import openpyxl

from benchmarks.harness import WORK, Case, run_command
from jygproj.commands.check import summary
from jygproj.io import load_workbooks
from jygproj.paths import SAMPLE_2023

NATURES = (("一、续建项目", "续建"), ("二、新建项目", "新建"), ("三、预备项目", "预备"))


def write_big_register(path: Path, n_rows: int = 20_000) -> Path:
    """A register of ``n_rows`` projects in three sections (write-only openpyxl, a few seconds)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("产业投资项目")
    ws.append(["2023年嘉峪关市产业投资项目计划表（基准测试数据）"])
    ws.append(["填报单位：基准测试", None, None, None, None, None, None, None, None, None, "单位：万元"])
    ws.append(["序号", "项目名称", "项目代码", "建设单位", "总投资", "年度计划投资", None, None, None, None, "计划开工时间",
               "备注"])
    ws.append([None, None, None, None, None, "合计", "一季度", "二季度", "三季度", "四季度", None, None])
    per = n_rows // 3
    total = annual = 0.0
    body = []
    k = 0
    for s, (section, _) in enumerate(NATURES):
        count = per if s < 2 else n_rows - 2 * per
        body.append([f"{section}（{count}项）"])
        for j in range(count):
            k += 1
            t = 1000.0 + (k % 997) * 10.5
            a = round(t / 4, 2)
            q = round(a / 4, 2)
            qs = [q, q, q, round(a - 3 * q, 2)]
            total += t
            annual += a
            code = f"23{(k % 12) + 1:02d}-620200-04-01-{k:06d}"
            total_cell = f"{t:,.1f}" if k % 5 == 0 else t  # every fifth typed as text with separators
            body.append([j + 1, f"基准测试项目{k:05d}", code, "某建设单位", total_cell, a, *qs, f"2023年{(k % 9) + 3}月", None])
    ws.append(["合计", None, None, None, round(total, 2), round(annual, 2)])
    for row in body:
        ws.append(row)
    ws.append(["备注：基准测试数据。"])
    wb.save(path)
    return path


def write_big_progress(path: Path, n_rows: int = 20_000, month: int = 10) -> Path:
    """A scheduling table of ``n_rows`` projects (1-{month}月)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(f"{month}月调度")
    ws.append([f"2023年1-{month}月产业投资项目建设进度调度表（基准测试数据）"])
    ws.append([None, None, None, None, None, None, None, None, None, "单位：万元"])
    ws.append(["序号", "项目名称", "项目代码", "建设性质", "总投资", "年度计划投资", f"1-{month}月完成投资", "是否开工",
               "开工时间", "形象进度", "存在问题"])
    for k in range(1, n_rows + 1):
        t = 1000.0 + (k % 997) * 10.5
        ws.append([k, f"基准测试项目{k:05d}", f"23{(k % 12) + 1:02d}-620200-04-01-{k:06d}", NATURES[k % 3][1], t,
                   round(t / 4, 2), f"{t / 8:,.2f}", "已开工" if k % 4 else "否", "2023.4.15" if k % 4 else None,
                   "主体施工", None])
    wb.save(path)
    return path


def _inputs(n_rows: int = 20_000) -> dict[str, Path]:
    WORK.mkdir(parents=True, exist_ok=True)
    reg = WORK / f"check_register_{n_rows}.xlsx"
    prog = WORK / f"check_progress_{n_rows}.xlsx"
    if not reg.exists():
        write_big_register(reg, n_rows)
    if not prog.exists():
        write_big_progress(prog, n_rows)
    return {"register": reg, "progress": prog}


def check(paths: list[Path]) -> dict:
    """What `jygproj check --json` does, minus printing."""
    return summary(load_workbooks(paths), paths)


def command() -> list[str]:
    """`jygproj` as installed in this environment (the console script beside this Python)."""
    script = Path(sys.executable).with_name("jygproj")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jygproj"]


SAMPLE_REGISTER = SAMPLE_2023 / "2023年产业投资项目清单（样例数据）.xlsx"


def cases():
    out = [
        Case("check: 20,000-row register", setup=lambda: [_inputs()["register"]], run=check, repeat=3,
             note="two-row header, sections, 合计, every fifth amount as text"),
        Case("check: 20,000-row scheduling table", setup=lambda: [_inputs()["progress"]], run=check, repeat=3),
    ]
    if SAMPLE_2023.is_dir() and any(SAMPLE_2023.glob("*.xlsx")):
        out.append(Case("check: sample workbooks 2023", setup=lambda: sorted(SAMPLE_2023.glob("*.xls*")), run=check,
                        repeat=3))
    if SAMPLE_REGISTER.is_file():
        out.append(Case("check: one register, the command end to end", setup=lambda: command() + ["check"],
                        run=lambda argv: run_command(argv + [str(SAMPLE_REGISTER)]), repeat=10, goal_s=0.4,
                        note=f"jygproj check {SAMPLE_REGISTER.name} (105 projects); Python's start and "
                             "imports included"))
    return out


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    start = time.perf_counter()
    paths = _inputs(n)
    print(f"inputs ready in {time.perf_counter() - start:.1f} s")
    for name, p in paths.items():
        start = time.perf_counter()
        rep = check([p])
        took = time.perf_counter() - start
        s = rep["files"][0]["sheets"][0]
        print(f"check {name} ({n} rows): {took:.2f} s  rows={s['rows']}  errors={len(rep['files'][0]['errors'])}"
              f"  warnings={len(rep['files'][0]['warnings'])}")
