using System.Net.Http.Json;
using ViraLoop.Contracts;
using ViraLoop.Grains.Messages;

namespace ViraLoop.Client;

/// <summary>
/// The admin half of the HTTP SDK (<c>/v1/admin</c>, header <c>X-Admin-Key</c>): tenants' API keys and plans. Errors are
/// <see cref="ViraLoopApiException"/>s with the API's problem details, as in <see cref="ViraLoopHttpClient"/>.
/// </summary>
public sealed class ViraLoopAdminClient : IDisposable
{
    private readonly HttpClient _http;

    public ViraLoopAdminClient(Uri baseAddress, string adminKey, Func<HttpMessageHandler>? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler(), disposeHandler: true);
        _http.BaseAddress = baseAddress;
        _http.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);
    }

    private static string Tenant(string tenant) => $"v1/admin/tenants/{Uri.EscapeDataString(tenant)}";

    /// <summary>A new API key for the tenant; its <see cref="ApiKeyView.Secret"/> is in this answer only.</summary>
    public Task<ApiKeyView> CreateKeyAsync(string tenant, string? name = null, CancellationToken ct = default) =>
        ViraLoopHttpClient.SendAsync<ApiKeyView>(_http, new HttpRequestMessage(HttpMethod.Post, $"{Tenant(tenant)}/keys")
            { Content = JsonContent.Create(new { name }, options: ViraLoopHttpClient.Json) }, ct);

    public Task<List<ApiKeyView>> ListKeysAsync(string tenant, CancellationToken ct = default) =>
        ViraLoopHttpClient.SendAsync<List<ApiKeyView>>(_http, new HttpRequestMessage(HttpMethod.Get, $"{Tenant(tenant)}/keys"), ct);

    /// <summary>Revokes a key by its id; 404 (<see cref="ViraLoopApiException"/>) when the tenant has no such key.</summary>
    public async Task RevokeKeyAsync(string tenant, string keyId, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{Tenant(tenant)}/keys/{Uri.EscapeDataString(keyId)}");
        using var response = await _http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw await ViraLoopHttpClient.ErrorAsync(response, ct);
    }

    public Task<TenantPlanSettings> GetPlanAsync(string tenant, CancellationToken ct = default) =>
        ViraLoopHttpClient.SendAsync<TenantPlanSettings>(_http, new HttpRequestMessage(HttpMethod.Get, $"{Tenant(tenant)}/plan"), ct);

    public Task<TenantPlanSettings> SetPlanAsync(string tenant, TenantPlanSettings plan, CancellationToken ct = default) =>
        ViraLoopHttpClient.SendAsync<TenantPlanSettings>(_http, new HttpRequestMessage(HttpMethod.Put, $"{Tenant(tenant)}/plan")
            { Content = JsonContent.Create(plan, options: ViraLoopHttpClient.Json) }, ct);

    public void Dispose() => _http.Dispose();
}
