using System.Globalization;
using System.Xml.Linq;

namespace DpdkSharp.Pktgen;

/// <summary>
/// The run over time as an SVG image written at the end (<c>--plot file.svg</c>): three panels sharing the time axis,
/// the rates (tx and rx, packets per second), the counts that should stay 0 (lost, duplicates, reordered, bad; cumulative) and the
/// interval's latency (p50, p99, max, µs, on a log scale: the max is often orders above the median). Written by
/// hand with System.Xml.Linq rather than through a plotting library: ScottPlot, OxyPlot and SkiaSharp need the native
/// Skia library (and its fonts) for every runtime the tool package may land on, and an SVG needs nothing; every
/// browser and image viewer shows it. Each series is one <c>polyline</c> with a <c>data-series</c> name.
/// </summary>
internal sealed class SvgPlot
{
    private const double Width = 960;
    private const double PanelHeight = 240;
    private const double Left = 80;
    private const double Right = 150; // the legend
    private const double Top = 40;
    private const double Gap = 50;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];

    private readonly List<Point> _points = [];

    /// <summary>One interval's figures (nothing else of the report is kept).</summary>
    private readonly record struct Point(double Elapsed, double TxPps, double RxPps, long Lost, long Duplicates, long Reordered, long Bad,
        long LatencyCount, double P50, double P99, double Max);

    /// <summary>The series' names, as in each <c>polyline</c>'s <c>data-series</c> attribute.</summary>
    public static readonly string[] SeriesNames = ["tx_pps", "rx_pps", "lost", "duplicates", "reordered", "bad", "latency_p50_us", "latency_p99_us", "latency_max_us"];

    /// <summary>The intervals added so far.</summary>
    public int Count => _points.Count;

    /// <summary>Adds an interval (the reader thread).</summary>
    public void Add(IntervalReport r) => _points.Add(new Point(r.Elapsed, r.TxPps, r.RxPps,
        r.Mode == PktgenMode.SendRecv ? r.Totals.Lost : 0, r.Totals.Duplicates, r.Totals.Reordered, r.Totals.Bad,
        r.Latency.Count, r.Latency.P50 / 1e3, r.Latency.P99 / 1e3, r.Latency.Max / 1e3));

    /// <summary>Checks, before a run starts, that <paramref name="path"/> names an image this class writes.</summary>
    public static void CheckPath(string path)
    {
        if (!string.Equals(Path.GetExtension(path), ".svg", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--plot writes SVG (no native graphics library needed): name the file .svg, not '{path}'.");
        }
    }

    /// <summary>Writes the image.</summary>
    public void Write(string path, string title) => ToDocument(title).Save(path);

    /// <summary>The image as an XML document.</summary>
    public XDocument ToDocument(string title)
    {
        var height = Top + 3 * PanelHeight + 3 * Gap;
        var root = new XElement(Svg + "svg",
            new XAttribute("width", Width), new XAttribute("height", height), new XAttribute("viewBox", $"0 0 {Width} {F(height)}"),
            new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", 12),
            new XElement(Svg + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")),
            new XElement(Svg + "text", new XAttribute("x", Left), new XAttribute("y", 24), new XAttribute("font-size", 16), title));
        var xs = _points.Select(p => p.Elapsed).ToArray();
        var xMax = LinearTicks(xs.DefaultIfEmpty(0).Max()).Max; // the axis ends on a tick
        root.Add(Panel(0, "rate (packets/s)", xMax, logarithmic: false,
            ("tx_pps", _points.Select(p => (p.Elapsed, p.TxPps))),
            ("rx_pps", _points.Select(p => (p.Elapsed, p.RxPps)))));
        root.Add(Panel(1, "lost, duplicates, reordered, bad (packets, cumulative)", xMax, logarithmic: false,
            ("lost", _points.Select(p => (p.Elapsed, (double)p.Lost))),
            ("duplicates", _points.Select(p => (p.Elapsed, (double)p.Duplicates))),
            ("reordered", _points.Select(p => (p.Elapsed, (double)p.Reordered))),
            ("bad", _points.Select(p => (p.Elapsed, (double)p.Bad)))));
        // Intervals without samples have no latency: they are left out, not drawn as 0.
        var measured = _points.Where(p => p.LatencyCount > 0).ToArray();
        root.Add(Panel(2, "latency of the interval (µs, log scale)", xMax, logarithmic: true,
            ("latency_p50_us", measured.Select(p => (p.Elapsed, p.P50))),
            ("latency_p99_us", measured.Select(p => (p.Elapsed, p.P99))),
            ("latency_max_us", measured.Select(p => (p.Elapsed, p.Max)))));
        return new XDocument(root);
    }

    private static XElement Panel(int index, string caption, double xMax, bool logarithmic, params (string Name, IEnumerable<(double X, double Y)> Points)[] series)
    {
        var top = Top + Gap / 2 + index * (PanelHeight + Gap);
        var plotWidth = Width - Left - Right;
        var data = series.Select(s => (s.Name, Points: s.Points.ToArray())).ToArray();
        var values = data.SelectMany(s => s.Points.Select(p => p.Y)).Where(y => !logarithmic || y > 0).ToArray();
        var (yMin, yMax, yTicks) = logarithmic ? LogTicks(values) : LinearTicks(values.DefaultIfEmpty(0).Max());
        double X(double x) => Left + x / xMax * plotWidth;
        double Y(double y)
        {
            var t = logarithmic ? (Math.Log10(Math.Max(y, yMin)) - Math.Log10(yMin)) / (Math.Log10(yMax) - Math.Log10(yMin)) : (y - yMin) / (yMax - yMin);
            return top + PanelHeight - t * PanelHeight;
        }

        var group = new XElement(Svg + "g", new XAttribute("class", "panel"),
            new XElement(Svg + "text", new XAttribute("x", Left), new XAttribute("y", F(top - 8)), caption),
            new XElement(Svg + "rect", new XAttribute("x", Left), new XAttribute("y", F(top)), new XAttribute("width", F(plotWidth)),
                new XAttribute("height", PanelHeight), new XAttribute("fill", "none"), new XAttribute("stroke", "#999")));
        foreach (var tick in yTicks)
        {
            var y = Y(tick);
            group.Add(new XElement(Svg + "line", new XAttribute("x1", Left), new XAttribute("x2", F(Left + plotWidth)),
                    new XAttribute("y1", F(y)), new XAttribute("y2", F(y)), new XAttribute("stroke", "#eee")),
                new XElement(Svg + "text", new XAttribute("x", Left - 6), new XAttribute("y", F(y + 4)), new XAttribute("text-anchor", "end"), Label(tick)));
        }

        foreach (var tick in LinearTicks(xMax).Ticks)
        {
            group.Add(new XElement(Svg + "text", new XAttribute("x", F(X(tick))), new XAttribute("y", F(top + PanelHeight + 16)),
                new XAttribute("text-anchor", "middle"), Label(tick) + (tick == 0 ? " s" : "")));
        }

        for (var i = 0; i < data.Length; i++)
        {
            var (name, points) = data[i];
            var colour = Colours[i % Colours.Length];
            group.Add(new XElement(Svg + "polyline", new XAttribute("data-series", name), new XAttribute("fill", "none"),
                new XAttribute("stroke", colour), new XAttribute("stroke-width", 1.5),
                new XAttribute("points", string.Join(' ', points.Where(p => !logarithmic || p.Y > 0).Select(p => $"{F(X(p.X))},{F(Y(p.Y))}"))),
                new XElement(Svg + "title", name)));
            var legendY = top + 14 + i * 18;
            group.Add(new XElement(Svg + "line", new XAttribute("x1", F(Width - Right + 12)), new XAttribute("x2", F(Width - Right + 32)),
                    new XAttribute("y1", F(legendY - 4)), new XAttribute("y2", F(legendY - 4)), new XAttribute("stroke", colour), new XAttribute("stroke-width", 2)),
                new XElement(Svg + "text", new XAttribute("x", F(Width - Right + 38)), new XAttribute("y", F(legendY)), name));
        }

        return group;
    }

    // 0 up to a round number above the largest value, in steps of 1, 2 or 5 times a power of ten.
    private static (double Min, double Max, double[] Ticks) LinearTicks(double max)
    {
        if (max <= 0 || double.IsNaN(max))
        {
            return (0, 1, [0, 1]);
        }

        var raw = max / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 5, 10 }.Select(m => m * power).First(s => s >= raw);
        var top = Math.Ceiling(max / step) * step;
        return (0, top, Enumerable.Range(0, (int)Math.Round(top / step) + 1).Select(i => i * step).ToArray());
    }

    // Powers of ten around the values (one decade when they all sit within one).
    private static (double Min, double Max, double[] Ticks) LogTicks(double[] values)
    {
        if (values.Length == 0)
        {
            return (1, 10, [1, 10]);
        }

        var low = Math.Floor(Math.Log10(values.Min()));
        var high = Math.Max(Math.Ceiling(Math.Log10(values.Max())), low + 1);
        return (Math.Pow(10, low), Math.Pow(10, high), Enumerable.Range(0, (int)(high - low) + 1).Select(i => Math.Pow(10, low + i)).ToArray());
    }

    // 0.5, 20, 1.5k, 250k, 2M, 1G: an axis label stays short at any rate.
    private static string Label(double value)
    {
        var magnitude = Math.Abs(value);
        var (scaled, suffix) = magnitude >= 1e9 ? (value / 1e9, "G") : magnitude >= 1e6 ? (value / 1e6, "M") : magnitude >= 1e3 ? (value / 1e3, "k") : (value, "");
        return scaled.ToString("0.###", CultureInfo.InvariantCulture) + suffix;
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
