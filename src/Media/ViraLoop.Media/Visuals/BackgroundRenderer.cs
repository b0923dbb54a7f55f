namespace ViraLoop.Media.Visuals;

/// <summary>
/// Procedural moving backgrounds, rendered as RGB24 frames at a reduced size (the encoder scales them up;
/// text is drawn afterwards at full size). Scenes meet with a short push transition, cut on the phrase boundary.
/// A scene whose background is a clip (<see cref="SceneVisual.ClipPath"/>) shows that clip's frames, given decoded in
/// <c>clips</c> by scene index, in the same frame stream.
/// </summary>
public sealed class BackgroundRenderer
{
    private readonly int _w, _h;
    private readonly IReadOnlyList<SceneVisual> _scenes;
    private readonly double _fps;
    private readonly double _transition;
    private readonly SceneState[] _states;

    public BackgroundRenderer(int width, int height, double fps, IReadOnlyList<SceneVisual> scenes, double transitionSeconds = 0.2,
        IReadOnlyDictionary<int, ClipFrames>? clips = null)
    {
        _w = width;
        _h = height;
        _fps = fps;
        _scenes = scenes;
        _transition = transitionSeconds;
        _states = scenes.Select((s, i) => new SceneState(s, width, height, fps, clips?.GetValueOrDefault(i))).ToArray();
        foreach (var (i, c) in clips ?? new Dictionary<int, ClipFrames>())
        {
            if (i < 0 || i >= scenes.Count) throw new ArgumentOutOfRangeException(nameof(clips), i, "A clip was given for a scene that does not exist.");
            if (c.Width != width || c.Height != height)
                throw new ArgumentException($"The clip of scene {i} is {c.Width}x{c.Height}; the background is {width}x{height}.", nameof(clips));
        }
        FrameCount = (int)Math.Round(scenes[^1].End * fps);
    }

    public int Width => _w;
    public int Height => _h;
    public int FrameCount { get; }
    public int FrameBytes => _w * _h * 3;

    /// <summary>Bytes of one planar YUV 4:2:0 frame (what the encoder takes without a colour conversion at full size).</summary>
    public int YuvFrameBytes => _w * _h * 3 / 2;

    [ThreadStatic] private static byte[]? _scratch;

    /// <summary>
    /// Renders a frame and converts it to YUV 4:2:0 (BT.601, limited range, as ffmpeg converts RGB by default) at the
    /// background's small size, so the encoder only scales planes and never converts a full-size RGB frame.
    /// </summary>
    public void RenderFrameYuv420(int frame, Span<byte> yuv)
    {
        var rgb = _scratch is { } b && b.Length == FrameBytes ? b : _scratch = new byte[FrameBytes];
        RenderFrame(frame, rgb);
        int w = _w, h = _h;
        var yPlane = yuv[..(w * h)];
        var uPlane = yuv.Slice(w * h, w * h / 4);
        var vPlane = yuv.Slice(w * h + w * h / 4, w * h / 4);
        for (int y = 0; y < h; y++)
        {
            int o = y * w * 3, yo = y * w;
            for (int x = 0; x < w; x++, o += 3)
                yPlane[yo + x] = (byte)((66 * rgb[o] + 129 * rgb[o + 1] + 25 * rgb[o + 2] + 128 >> 8) + 16);
        }
        for (int y = 0; y < h / 2; y++)
        {
            for (int x = 0; x < w / 2; x++)
            {
                int a = (2 * y * w + 2 * x) * 3, c = a + w * 3;
                int r = rgb[a] + rgb[a + 3] + rgb[c] + rgb[c + 3];
                int g = rgb[a + 1] + rgb[a + 4] + rgb[c + 1] + rgb[c + 4];
                int bl = rgb[a + 2] + rgb[a + 5] + rgb[c + 2] + rgb[c + 5];
                uPlane[y * (w / 2) + x] = (byte)((-38 * r - 74 * g + 112 * bl + 512 >> 10) + 128);
                vPlane[y * (w / 2) + x] = (byte)((112 * r - 94 * g - 18 * bl + 512 >> 10) + 128);
            }
        }
    }

    public void RenderFrame(int frame, Span<byte> rgb)
    {
        double t = frame / _fps;
        int i = 0;
        while (i < _scenes.Count - 1 && t >= _scenes[i].End) i++;
        // Push transition: the next scene slides up over the last few frames before the cut, so the cut lands on the boundary.
        if (i < _scenes.Count - 1 && t > _scenes[i].End - _transition)
        {
            double p = (t - (_scenes[i].End - _transition)) / _transition;
            p = p * p * (3 - 2 * p);
            int shift = (int)(p * _h);
            var a = new byte[FrameBytes];
            var b = new byte[FrameBytes];
            _states[i].Render(t - _scenes[i].Start, a);
            _states[i + 1].Render(0, b);
            int row = _w * 3;
            a.AsSpan(shift * row, (_h - shift) * row).CopyTo(rgb);
            b.AsSpan(0, shift * row).CopyTo(rgb[((_h - shift) * row)..]);
            return;
        }
        _states[i].Render(t - _scenes[i].Start, rgb);
    }

    private sealed class SceneState
    {
        private readonly SceneVisual _v;
        private readonly int _w, _h;
        private readonly double _fps;
        private readonly ClipFrames? _clip;
        private readonly Rgb[] _lut;
        private readonly Random _rng;
        private readonly (double X, double Y, double R, double Speed, double Phase, int Color)[] _particles;
        private readonly (double X, double Y, double Size, double Spin, int Sides, int Color, bool Filled)[] _shapes;
        private Lazy<byte[]>? _poster;
        private int _pw, _ph;

        public SceneState(SceneVisual v, int w, int h, double fps, ClipFrames? clip)
        {
            _v = v;
            _w = w;
            _h = h;
            _fps = fps;
            _clip = clip;
            _lut = v.Palette.Lut();
            _rng = new Random(v.Seed);
            _particles = Enumerable.Range(0, 26).Select(_ => (_rng.NextDouble(), _rng.NextDouble(), 0.04 + _rng.NextDouble() * 0.11,
                0.03 + _rng.NextDouble() * 0.08, _rng.NextDouble() * 6.28, _rng.Next(v.Palette.Colors.Count))).ToArray();
            _shapes = Enumerable.Range(0, 9).Select(_ => (_rng.NextDouble(), _rng.NextDouble(), 0.12 + _rng.NextDouble() * 0.22,
                (_rng.NextDouble() - 0.5) * 1.2, 3 + _rng.Next(4), _rng.Next(v.Palette.Colors.Count), _rng.Next(3) == 0)).ToArray();
            // The poster's random choices are drawn here, in order; its pixels are filled on first use (once, for every
            // thread rendering frames in parallel), so a renderer made for one frame does not paint every Zoom scene's poster.
            if (v.Style == VisualStyle.Zoom && clip is null)
            {
                var layout = PosterLayout();
                _poster = new Lazy<byte[]>(() => FillPoster(layout), LazyThreadSafetyMode.ExecutionAndPublication);
            }
        }

        public void Render(double t, Span<byte> rgb)
        {
            if (_clip is not null)
            {
                _clip.Read((int)Math.Floor(t * _fps + 1e-6), rgb);
                return;
            }
            switch (_v.Style)
            {
                case VisualStyle.Gradient: Gradient(t, rgb, 1.0); break;
                case VisualStyle.Particles: Gradient(t * 0.3, rgb, 0.35); Particles(t, rgb); break;
                case VisualStyle.Geometric: Gradient(t * 0.5, rgb, 0.55); Shapes(t, rgb); break;
                case VisualStyle.Kinetic: Kinetic(t, rgb); break;
                case VisualStyle.Zoom: Zoom(t, rgb); break;
            }
        }

        /// <summary>A flowing gradient: palette bands along a slowly turning axis, bent by a travelling wave.</summary>
        private void Gradient(double t, Span<byte> rgb, double brightness)
        {
            double angle = 0.6 + 0.25 * Math.Sin(t * 0.35 + _v.Seed % 7);
            double ca = Math.Cos(angle) / _w, sa = Math.Sin(angle) / _h;
            int lutN = _lut.Length;
            var lut = brightness >= 1 ? _lut : _lut.Select(c => c.Scale(brightness)).ToArray();
            double drift = t * 0.08;
            for (int y = 0; y < _h; y++)
            {
                double wave = 0.12 * Math.Sin(y * 6.0 / _h + t * 0.9) + y * sa + drift;
                int o = y * _w * 3;
                for (int x = 0; x < _w; x++)
                {
                    double u = x * ca + wave;
                    int idx = (int)(u * lutN) % lutN;
                    if (idx < 0) idx += lutN;
                    var c = lut[idx];
                    rgb[o++] = c.R;
                    rgb[o++] = c.G;
                    rgb[o++] = c.B;
                }
            }
        }

        /// <summary>Bokeh: soft discs drifting upwards, added to the background.</summary>
        private void Particles(double t, Span<byte> rgb)
        {
            var colors = _v.Palette.Colors;
            foreach (var p in _particles)
            {
                double r = p.R * _w;
                double cx = (p.X + 0.04 * Math.Sin(t * 0.7 + p.Phase)) * _w;
                double cy = ((p.Y - t * p.Speed) % 1 + 1) % 1 * (_h + 2 * r) - r;
                var c = colors[p.Color];
                int x0 = Math.Max(0, (int)(cx - r)), x1 = Math.Min(_w - 1, (int)(cx + r));
                int y0 = Math.Max(0, (int)(cy - r)), y1 = Math.Min(_h - 1, (int)(cy + r));
                double inv = 1 / (r * r);
                for (int y = y0; y <= y1; y++)
                {
                    double dy = y - cy;
                    int o = (y * _w + x0) * 3;
                    for (int x = x0; x <= x1; x++, o += 3)
                    {
                        double dx = x - cx;
                        double d = (dx * dx + dy * dy) * inv;
                        if (d >= 1) continue;
                        double a = (1 - d) * 0.55;
                        rgb[o] = (byte)Math.Min(255, rgb[o] + c.R * a);
                        rgb[o + 1] = (byte)Math.Min(255, rgb[o + 1] + c.G * a);
                        rgb[o + 2] = (byte)Math.Min(255, rgb[o + 2] + c.B * a);
                    }
                }
            }
        }

        /// <summary>Turning polygons, filled or outlined, blended over the background.</summary>
        private void Shapes(double t, Span<byte> rgb)
        {
            var colors = _v.Palette.Colors;
            Span<double> nx = stackalloc double[8];
            Span<double> ny = stackalloc double[8];
            Span<double> nc = stackalloc double[8];
            double border = Math.Max(2, _w * 0.008);
            foreach (var s in _shapes)
            {
                double size = s.Size * _w * (1 + 0.08 * Math.Sin(t * 1.3 + s.Spin * 5));
                double cx = s.X * _w + 0.05 * _w * Math.Sin(t * 0.4 + s.Spin), cy = s.Y * _h + 0.04 * _h * Math.Cos(t * 0.3 + s.Spin);
                double rot = t * s.Spin;
                // Edge k as a unit inward normal: inside(x, y) = x*nx + y*ny + nc >= 0 for every edge.
                for (int k = 0; k < s.Sides; k++)
                {
                    double a0 = rot + k * 2 * Math.PI / s.Sides, a1 = rot + (k + 1) * 2 * Math.PI / s.Sides;
                    double x0 = cx + size * Math.Cos(a0), y0 = cy + size * Math.Sin(a0);
                    double x1 = cx + size * Math.Cos(a1), y1 = cy + size * Math.Sin(a1);
                    double ex = x1 - x0, ey = y1 - y0, len = Math.Sqrt(ex * ex + ey * ey);
                    nx[k] = -ey / len;
                    ny[k] = ex / len;
                    nc[k] = -(x0 * nx[k] + y0 * ny[k]);
                    if (cx * nx[k] + cy * ny[k] + nc[k] < 0) { nx[k] = -nx[k]; ny[k] = -ny[k]; nc[k] = -nc[k]; }
                }
                var c = colors[s.Color];
                int bx0 = Math.Max(0, (int)(cx - size)), bx1 = Math.Min(_w - 1, (int)(cx + size));
                int by0 = Math.Max(0, (int)(cy - size)), by1 = Math.Min(_h - 1, (int)(cy + size));
                int alpha = s.Filled ? 115 : 230;
                for (int y = by0; y <= by1; y++)
                {
                    int o = (y * _w + bx0) * 3;
                    for (int x = bx0; x <= bx1; x++, o += 3)
                    {
                        double inside = double.MaxValue;
                        for (int k = 0; k < s.Sides; k++)
                        {
                            double d = x * nx[k] + y * ny[k] + nc[k];
                            if (d < inside) inside = d;
                        }
                        if (inside < 0 || (!s.Filled && inside >= border)) continue;
                        rgb[o] = (byte)(rgb[o] + ((c.R - rgb[o]) * alpha >> 8));
                        rgb[o + 1] = (byte)(rgb[o + 1] + ((c.G - rgb[o + 1]) * alpha >> 8));
                        rgb[o + 2] = (byte)(rgb[o + 2] + ((c.B - rgb[o + 2]) * alpha >> 8));
                    }
                }
            }
        }

        /// <summary>Backdrop for kinetic typography: dark diagonal stripes sliding past a pulsing disc (the words are drawn on top).</summary>
        private void Kinetic(double t, Span<byte> rgb)
        {
            var dark = _v.Palette.Colors.OrderBy(c => c.R + c.G + c.B).First().Scale(0.55);
            var stripe = _v.Palette.Colors[1 % _v.Palette.Colors.Count].Scale(0.45);
            var disc = _v.Palette.Colors.OrderByDescending(c => c.R + c.G + c.B).First();
            int period = Math.Max(2, (int)(_w * 0.18)), half = period / 2, shift = (int)(t * _w * 0.25) % period;
            double cx = _w * 0.5, cy = _h * 0.42, r = _w * (0.36 + 0.04 * Math.Sin(t * 4)), r2 = r * r;
            for (int y = 0; y < _h; y++)
            {
                int o = y * _w * 3;
                int phase = (y + shift) % period;
                for (int x = 0; x < _w; x++, o += 3)
                {
                    var c = (x + phase) % period < half ? dark : stripe;
                    rgb[o] = c.R;
                    rgb[o + 1] = c.G;
                    rgb[o + 2] = c.B;
                }
                double dy = y - cy;
                if (dy * dy >= r2) continue;
                double span = Math.Sqrt(r2 - dy * dy);
                int x0 = Math.Max(0, (int)(cx - span)), x1 = Math.Min(_w - 1, (int)(cx + span));
                o = (y * _w + x0) * 3;
                for (int x = x0; x <= x1; x++, o += 3)
                {
                    double dx = x - cx;
                    int a = (int)(90 * (1 - (dx * dx + dy * dy) / r2));
                    rgb[o] = (byte)(rgb[o] + ((disc.R - rgb[o]) * a >> 8));
                    rgb[o + 1] = (byte)(rgb[o + 1] + ((disc.G - rgb[o + 1]) * a >> 8));
                    rgb[o + 2] = (byte)(rgb[o + 2] + ((disc.B - rgb[o + 2]) * a >> 8));
                }
            }
        }

        /// <summary>A slow zoom (Ken Burns) over a generated poster: a sky gradient, a sun and layered hills.</summary>
        private void Zoom(double t, Span<byte> rgb)
        {
            double z = 1 + 0.18 * Math.Clamp(t / Math.Max(0.5, _v.Duration), 0, 1);
            double vw = _pw / z, vh = _ph / z;
            double ox = (_pw - vw) * (0.5 + 0.3 * Math.Sin(_v.Seed)), oy = (_ph - vh) * 0.5;
            double sx = vw / _w, sy = vh / _h;
            var p = _poster!.Value;
            // Fixed-point bilinear sampling; the column positions and weights are the same for every row.
            Span<int> col = _w <= 4096 ? stackalloc int[_w] : new int[_w];
            Span<int> colW = _w <= 4096 ? stackalloc int[_w] : new int[_w];
            for (int x = 0; x < _w; x++)
            {
                double fx = ox + x * sx;
                int x0 = Math.Min(_pw - 2, (int)fx);
                col[x] = x0 * 3;
                colW[x] = (int)((fx - x0) * 256);
            }
            int stride = _pw * 3;
            for (int y = 0; y < _h; y++)
            {
                double fy = oy + y * sy;
                int y0 = Math.Min(_ph - 2, (int)fy);
                int wy = (int)((fy - y0) * 256);
                int rowA = y0 * stride;
                int o = y * _w * 3;
                for (int x = 0; x < _w; x++, o += 3)
                {
                    int a = rowA + col[x], c = a + stride, wx = colW[x];
                    for (int k = 0; k < 3; k++)
                    {
                        int top = (p[a + k] << 8) + (p[a + 3 + k] - p[a + k]) * wx;
                        int bottom = (p[c + k] << 8) + (p[c + 3 + k] - p[c + k]) * wx;
                        rgb[o + k] = (byte)(((top << 8) + (bottom - top) * wy) >> 16);
                    }
                }
            }
        }

        private (double SunX, double SunY, double SunR, (double Base, double Amp, double Freq, double Phase, Rgb Color)[] Hills) PosterLayout()
        {
            _pw = (int)(_w * 1.25);
            _ph = (int)(_h * 1.25);
            var cols = _v.Palette.Colors.OrderByDescending(c => c.R + c.G + c.B).ToList();
            double sunX = _pw * (0.3 + 0.4 * _rng.NextDouble()), sunY = _ph * 0.32, sunR = _pw * 0.16;
            var hills = Enumerable.Range(0, 4).Select(i => (Base: 0.55 + i * 0.1, Amp: 0.05 + 0.03 * _rng.NextDouble(),
                Freq: 2 + 3 * _rng.NextDouble(), Phase: _rng.NextDouble() * 6.28, Color: cols[Math.Min(cols.Count - 1, 1 + i % (cols.Count - 1))].Scale(0.9 - i * 0.17))).ToArray();
            return (sunX, sunY, sunR, hills);
        }

        private byte[] FillPoster((double SunX, double SunY, double SunR, (double Base, double Amp, double Freq, double Phase, Rgb Color)[] Hills) layout)
        {
            var (sunX, sunY, sunR, hills) = layout;
            var p = new byte[_pw * _ph * 3];
            var cols = _v.Palette.Colors.OrderByDescending(c => c.R + c.G + c.B).ToList();
            var sky0 = cols[^1].Scale(0.8);
            var sky1 = cols[0];
            var sun = new Rgb(255, 244, 214);
            for (int y = 0; y < _ph; y++)
            {
                double v = (double)y / _ph;
                for (int x = 0; x < _pw; x++)
                {
                    double u = (double)x / _pw;
                    var c = new Rgb((byte)(sky0.R + (sky1.R - sky0.R) * v), (byte)(sky0.G + (sky1.G - sky0.G) * v), (byte)(sky0.B + (sky1.B - sky0.B) * v));
                    double dx = x - sunX, dy = y - sunY, d = Math.Sqrt(dx * dx + dy * dy) / sunR;
                    if (d < 1) c = sun;
                    else if (d < 1.6) { double a = (1.6 - d) / 0.6 * 0.5; c = new((byte)(c.R + (sun.R - c.R) * a), (byte)(c.G + (sun.G - c.G) * a), (byte)(c.B + (sun.B - c.B) * a)); }
                    foreach (var h in hills)
                        if (v > h.Base + h.Amp * Math.Sin(u * h.Freq * 6.28 + h.Phase)) c = h.Color;
                    int o = (y * _pw + x) * 3;
                    p[o] = c.R;
                    p[o + 1] = c.G;
                    p[o + 2] = c.B;
                }
            }
            return p;
        }
    }
}
