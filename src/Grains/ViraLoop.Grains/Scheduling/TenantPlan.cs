namespace ViraLoop.Grains.Scheduling;

/// <summary>What a tenant's plan buys: its share of GPU time (<paramref name="Weight"/>, relative to the other
/// tenants with work) and the highest tier its requests may use.</summary>
public sealed record TenantPlan(string TenantId, double Weight, PriorityTier PriorityCeiling);
