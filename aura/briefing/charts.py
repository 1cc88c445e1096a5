"""The briefing's charts as Altair (Vega-Lite) specs, shared by the app (st.altair_chart)
and the HTML file (rendered to inline SVG by vl-convert, `to_svg`).

forecast_chart: mart_forecast as monthly net sales, the baseline then each recommended
action's cumulative p50 with its p10-p90 range, titled with the mart's subtitle.
trend_chart: a daily or rolling series over time. window_chart: a metric's recent and prior
values for each window.
"""

from __future__ import annotations

import re
import textwrap

import altair as alt
import pandas as pd

from aura.briefing.model import Forecast

COLOR = "#3b5b92"
RANGE_COLOR = "#a9bde0"
BASELINE_COLOR = "#888888"


def _lines(text: str, width: int = 100) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def forecast_frame(forecast: Forecast) -> pd.DataFrame:
    return pd.DataFrame([{
        "step": s.order, "label": s.label, "kind": s.kind,
        "p10": s.cumulative_p10, "p50": s.cumulative_p50, "p90": s.cumulative_p90,
        "lift_p50": s.lift_p50,
    } for s in forecast.steps])


def forecast_chart(forecast: Forecast, width: int | None = None) -> alt.LayerChart:
    """Cumulative monthly net sales by step: a line through the p50s, the p10-p90 range as
    bars, the baseline as a dashed rule."""
    data = forecast_frame(forecast)
    if data.empty:
        data = pd.DataFrame([{"step": 0, "label": "Baseline", "kind": "baseline", "p10": None,
                              "p50": None, "p90": None, "lift_p50": None}])
    order = list(data.sort_values("step")["label"])
    x = alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelLimit=220))
    y_title = "Net sales a month" + (f" ({forecast.currency})" if forecast.currency else "")
    base = alt.Chart(data)
    band = base.mark_rule(strokeWidth=10, color=RANGE_COLOR, opacity=0.8).encode(
        x=x, y=alt.Y("p10:Q", title=y_title, scale=alt.Scale(zero=False)), y2="p90:Q",
        tooltip=[alt.Tooltip("label:N", title="Step"), alt.Tooltip("p10:Q", format=",.0f", title="p10"),
                 alt.Tooltip("p50:Q", format=",.0f", title="p50"),
                 alt.Tooltip("p90:Q", format=",.0f", title="p90")],
    )
    line = base.mark_line(point=alt.OverlayMarkDef(size=80, filled=True, color=COLOR), color=COLOR).encode(
        x=x, y=alt.Y("p50:Q", axis=alt.Axis(format=",.0f")))
    labels = base.mark_text(dy=-14, color="#222", fontSize=11).encode(
        x=x, y="p50:Q", text=alt.Text("p50:Q", format=",.0f"))
    layers: list[alt.Chart] = [band, line, labels]
    if forecast.baseline is not None:
        rule = alt.Chart(pd.DataFrame([{"baseline": forecast.baseline}])).mark_rule(
            strokeDash=[4, 4], color=BASELINE_COLOR).encode(y="baseline:Q")
        layers.insert(0, rule)
    chart = alt.layer(*layers).properties(
        title=alt.TitleParams("Monthly net sales: baseline and recommended actions",
                              subtitle=_lines(forecast.subtitle), anchor="start", subtitleColor="#555"),
        height=320,
    )
    return chart.properties(width=width) if width else chart


def trend_chart(frame: pd.DataFrame, title: str, y_title: str, y_format: str = ",.0f",
                subtitle: str = "", width: int | None = None) -> alt.Chart:
    """A series over time: `frame` has columns kpi_date and value."""
    chart = alt.Chart(frame).mark_line(color=COLOR).encode(
        x=alt.X("kpi_date:T", title=None),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format)),
        tooltip=[alt.Tooltip("kpi_date:T", title="Day"),
                 alt.Tooltip("value:Q", format=y_format, title=y_title)],
    ).properties(title=alt.TitleParams(title, subtitle=_lines(subtitle) if subtitle else alt.Undefined,
                                       anchor="start", subtitleColor="#555"), height=260)
    return chart.properties(width=width) if width else chart


def window_chart(table: pd.DataFrame, label: str, y_format: str = ",.0f") -> alt.Chart:
    """Recent against prior values of a metric, one pair of bars per window."""
    long = table.melt(id_vars=["window", "window_days"], value_vars=["recent", "prior"],
                      var_name="period", value_name="value").dropna(subset=["value"])
    long["period"] = long["period"].map({"recent": "This period", "prior": "The period before"})
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("window:N", sort=[f"Last {w} days" for w in sorted(table["window_days"])], title=None,
                axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("period:N", sort=["The period before", "This period"]),
        y=alt.Y("value:Q", title=label, axis=alt.Axis(format=y_format)),
        color=alt.Color("period:N", sort=["The period before", "This period"],
                        scale=alt.Scale(range=[RANGE_COLOR, COLOR]), title=None),
        tooltip=[alt.Tooltip("window:N"), alt.Tooltip("period:N"),
                 alt.Tooltip("value:Q", format=y_format, title=label)],
    ).properties(title=alt.TitleParams(f"{label}: each window against the one before", anchor="start"),
                 height=260)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an inline SVG element for an HTML page: rendered without a browser or
    network (vl-convert), namespace declarations dropped (HTML5 parses inline SVG without
    them, and the file then holds no URL at all)."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict())
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    return svg.replace("xlink:href", "href")
