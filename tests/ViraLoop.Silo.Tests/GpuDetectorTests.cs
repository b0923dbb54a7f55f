using ViraLoop.Hosting.Placement;
using Xunit;

namespace ViraLoop.Silo.Tests;

/// <summary>A GPU silo names its device from nvidia-smi, and says "cpu" where there is none.</summary>
public sealed class GpuDetectorTests
{
    private static string FakeNvidiaSmi(string script)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vl-smi-").FullName, "nvidia-smi");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void OneGpu_IsNamedAfterItsModel()
    {
        var smi = FakeNvidiaSmi("""[ "$1" = "--query-gpu=name" ] && echo "NVIDIA H100 80GB HBM3" """);
        Assert.Equal("nvidia-h100-80gb-hbm3", GpuDetector.Detect(smi));
    }

    [Fact]
    public void SeveralGpus_AreCounted()
    {
        var smi = FakeNvidiaSmi("printf 'NVIDIA L4\\nNVIDIA L4\\n'");
        Assert.Equal("2xnvidia-l4", GpuDetector.Detect(smi));
    }

    [Fact]
    public void NoNvidiaSmi_OrAFailingOne_MeansNoGpu()
    {
        Assert.Null(GpuDetector.Detect("/nonexistent/nvidia-smi"));
        Assert.Null(GpuDetector.Detect(FakeNvidiaSmi("echo 'NVIDIA-SMI has failed' >&2; exit 9")));
    }
}
