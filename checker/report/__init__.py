"""Reports: every way a `RunResult` is shown (text, JSON, JUnit, SARIF, DOT/SVG, Mermaid).

Stage: report, after `checker/run.py`.  `steps` decodes traces once for all
formats; `grid` draws bordered tables; `swimlane` and `text` make the
terminal report; the other modules are one machine format each.  Reports
never run an engine and never read source text.
"""
