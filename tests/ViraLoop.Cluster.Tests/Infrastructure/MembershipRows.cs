using Npgsql;
using Orleans.Runtime;

namespace ViraLoop.Cluster.Tests.Infrastructure;

/// <summary>Reads the membership table the ADO.NET clustering provider keeps (so a paused silo cannot stall the answer).</summary>
public static class MembershipRows
{
    public static async Task<SiloStatus?> StatusAsync(ProcessCluster cluster, string siloName)
    {
        await using var c = new NpgsqlConnection(cluster.Postgres);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT status FROM vl_membership WHERE deployment_id = @d AND silo_name = @n ORDER BY generation DESC LIMIT 1", c);
        cmd.Parameters.AddWithValue("d", cluster.ClusterId);
        cmd.Parameters.AddWithValue("n", siloName);
        return await cmd.ExecuteScalarAsync() is int status ? (SiloStatus)status : null;
    }
}
