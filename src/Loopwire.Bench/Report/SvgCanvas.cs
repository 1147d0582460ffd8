using System.Text;
using static Loopwire.Bench.Report.Fmt;

namespace Loopwire.Bench.Report;

/// <summary>Writes one inline <c>&lt;svg&gt;</c> element. Sizes are viewBox units; the page's CSS scales it to the
/// available width. Every text that may come from the data is HTML-encoded here.</summary>
internal sealed class SvgCanvas
{
    private readonly StringBuilder _sb = new();

    public SvgCanvas(double width, double height, string title)
    {
        Width = width;
        Height = height;
        _sb.Append("<svg class=\"chart\" viewBox=\"0 0 ").Append(C(width)).Append(' ').Append(C(height))
            .Append("\" role=\"img\"><title>").Append(E(title)).Append("</title>");
    }

    public double Width { get; }

    public double Height { get; }

    public void Line(double x1, double y1, double x2, double y2, string cssClass, string? stroke = null, double? width = null, string? tip = null)
    {
        _sb.Append("<line x1=\"").Append(C(x1)).Append("\" y1=\"").Append(C(y1)).Append("\" x2=\"").Append(C(x2))
            .Append("\" y2=\"").Append(C(y2)).Append("\" class=\"").Append(cssClass).Append('"');
        Attr("stroke", stroke);
        Attr("stroke-width", width is { } w ? C(w) : null);
        End("line", tip);
    }

    public void Rect(double x, double y, double w, double h, string fill, string? tip = null, string? cssClass = null, string? stroke = null)
    {
        _sb.Append("<rect x=\"").Append(C(x)).Append("\" y=\"").Append(C(y)).Append("\" width=\"").Append(C(Math.Max(0, w)))
            .Append("\" height=\"").Append(C(Math.Max(0, h))).Append("\" fill=\"").Append(fill).Append('"');
        Attr("class", cssClass);
        Attr("stroke", stroke);
        End("rect", tip);
    }

    public void Circle(double cx, double cy, double r, string fill, string? tip = null, string? cssClass = null)
    {
        _sb.Append("<circle cx=\"").Append(C(cx)).Append("\" cy=\"").Append(C(cy)).Append("\" r=\"").Append(C(r))
            .Append("\" fill=\"").Append(fill).Append('"');
        Attr("class", cssClass);
        End("circle", tip);
    }

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width, string dash, string? tip = null)
    {
        _sb.Append("<polyline fill=\"none\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(C(width))
            .Append("\" stroke-linejoin=\"round\" points=\"");
        var first = true;
        foreach (var (x, y) in points)
        {
            _sb.Append(first ? "" : " ").Append(C(x)).Append(',').Append(C(y));
            first = false;
        }

        _sb.Append('"');
        Attr("stroke-dasharray", dash.Length == 0 ? null : dash);
        End("polyline", tip);
    }

    /// <summary>Text; <paramref name="anchor"/> is start, middle or end. <paramref name="rotate"/> turns it about (x, y).</summary>
    public void Text(double x, double y, string text, string cssClass = "tick", string anchor = "start", double rotate = 0, string? tip = null)
    {
        _sb.Append("<text x=\"").Append(C(x)).Append("\" y=\"").Append(C(y)).Append("\" class=\"").Append(cssClass)
            .Append("\" text-anchor=\"").Append(anchor).Append('"');
        if (rotate != 0)
        {
            _sb.Append(" transform=\"rotate(").Append(C(rotate)).Append(' ').Append(C(x)).Append(' ').Append(C(y)).Append(")\"");
        }

        _sb.Append('>');
        if (tip is not null)
        {
            _sb.Append("<title>").Append(E(tip)).Append("</title>");
        }

        _sb.Append(E(text)).Append("</text>");
    }

    /// <summary>Left value axis: grid lines across [x0, x1], tick labels left of x0, a rotated label.</summary>
    public void LeftAxis(Scale y, double x0, double x1, Func<double, string> format, string label)
    {
        foreach (var t in y.Ticks())
        {
            var py = y.Map(t);
            Line(x0, py, x1, py, "grid");
            Text(x0 - 6, py + 4, format(t), "tick", "end");
        }

        Line(x0, y.RangeFrom, x0, y.RangeTo, "axis");
        var mid = (y.RangeFrom + y.RangeTo) / 2;
        Text(14, mid, label + (y.IsLog ? " (log scale)" : ""), "axis-label", "middle", -90);
    }

    /// <summary>Bottom value axis: grid lines across [yTop, y0], tick labels below y0, a centred label.</summary>
    public void BottomAxis(Scale x, double y0, double yTop, Func<double, string> format, string label)
    {
        foreach (var t in x.Ticks())
        {
            var px = x.Map(t);
            Line(px, yTop, px, y0, "grid");
            Text(px, y0 + 15, format(t), "tick", "middle");
        }

        Line(x.RangeFrom, y0, x.RangeTo, y0, "axis");
        Text((x.RangeFrom + x.RangeTo) / 2, Height - 6, label + (x.IsLog ? " (log scale)" : ""), "axis-label", "middle");
    }

    public override string ToString() => _sb.ToString() + "</svg>";

    private void Attr(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _sb.Append(' ').Append(name).Append("=\"").Append(value).Append('"');
        }
    }

    private void End(string element, string? tip)
    {
        if (tip is null)
        {
            _sb.Append("/>");
            return;
        }

        _sb.Append("><title>").Append(E(tip)).Append("</title></").Append(element).Append('>');
    }
}
