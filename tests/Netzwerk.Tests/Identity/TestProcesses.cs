using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Netzwerk.Tests.Identity;

/// <summary>Helpers for the external servers the identity tests start themselves (OpenID provider, SMTP).</summary>
public static class TestProcesses
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Netzwerk.sln")) || File.Exists(Path.Combine(dir.FullName, "Netzwerk.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("Repository root (Netzwerk.sln) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Starts a process and returns once <paramref name="ready"/> appears on its stdout.</summary>
    public static async Task<Process> StartAsync(ProcessStartInfo psi, string ready, TimeSpan timeout)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains(ready)) started.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = await Task.WhenAny(started.Task, process.WaitForExitAsync(), Task.Delay(timeout));
        if (finished != started.Task)
        {
            Stop(process);
            lock (output) throw new InvalidOperationException($"{psi.FileName} did not become ready:\n{output}");
        }
        return process;
    }

    public static void Stop(Process? process)
    {
        if (process is null) return;
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.Dispose();
    }

    /// <summary>Polls until <paramref name="probe"/> returns a value (a wait for asynchronous work, not a speed assertion).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, int seconds = 60) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Gave up waiting for: {what}");
            await Task.Delay(200);
        }
    }
}
