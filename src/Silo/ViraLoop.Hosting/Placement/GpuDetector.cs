using System.Diagnostics;

namespace ViraLoop.Hosting.Placement;

/// <summary>Names the GPU a GPU silo runs on, from <c>nvidia-smi</c>; null where there is none (the silo then says <c>cpu</c>).</summary>
public static class GpuDetector
{
    public static string? Detect(string nvidiaSmi = "nvidia-smi", TimeSpan? timeout = null)
    {
        try
        {
            var psi = new ProcessStartInfo(nvidiaSmi, ["--query-gpu=name", "--format=csv,noheader"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(5)))
            {
                p.Kill(true);
                return null;
            }
            if (p.ExitCode != 0) return null;
            var names = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) return null;
            var device = names[0].ToLowerInvariant().Replace(' ', '-');
            return names.Length == 1 ? device : $"{names.Length}x{device}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no nvidia-smi: no NVIDIA GPU here
        }
    }
}
