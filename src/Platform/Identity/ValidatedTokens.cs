using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Netzwerk.Platform.Identity;

/// <summary>
/// Bearer tokens that passed the full validation, by their exact text, for at most a minute and never past their expiry.
/// An API client sends the same token with every call; checking its RS256 signature each time (with a fresh crypto
/// provider, see <c>NonCachingCrypto</c>) was a noticeable share of a request. A token that differs in a single character
/// is a different key and gets the full validation; nothing that failed is ever kept.
/// </summary>
public sealed class ValidatedTokens
{
    private const int MaxEntries = 10_000;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    // Real time, like the token's own expiry check (a test's fake clock must not keep a token alive).
    private readonly TimeProvider _clock = TimeProvider.System;
    private readonly ConcurrentDictionary<string, (ClaimsPrincipal Principal, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);

    /// <summary>The bearer token of the request, exactly as the JWT handler reads it.</summary>
    public static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>A copy of the principal validated for this very token, if still fresh.</summary>
    public ClaimsPrincipal? Find(string token)
    {
        if (!_entries.TryGetValue(token, out var entry)) return null;
        if (entry.Until > _clock.GetUtcNow()) return entry.Principal.Clone(); // a copy: later steps may add to it
        _entries.TryRemove(token, out _);
        return null;
    }

    public void Add(string token, ClaimsPrincipal principal, DateTime validToUtc)
    {
        var until = _clock.GetUtcNow() + Lifetime;
        var expires = new DateTimeOffset(DateTime.SpecifyKind(validToUtc, DateTimeKind.Utc));
        if (expires < until) until = expires;
        // Bounded: past the limit it starts over (every token is then validated once more).
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[token] = (principal.Clone(), until);
    }
}
