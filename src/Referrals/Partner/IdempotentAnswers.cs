using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Netzwerk.Referrals.Partner;

/// <summary>
/// A partner system that lost the response to an answer (a timeout, an app instance killed mid-request, a load balancer
/// failing over) cannot know whether the answer was stored. With an <c>Idempotency-Key</c> header it may simply send the
/// same request again: the key fixes the feedback's id, so the repeat finds the first answer and returns it instead of
/// reporting attendance or an outcome a second time.
/// </summary>
public static class IdempotentAnswers
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 200;

    /// <summary>
    /// The feedback id for this referral, partner user and key (a name-based UUID, version 8, from SHA-256), or null
    /// without a key. Keys of different users or referrals never collide.
    /// </summary>
    public static Guid? FeedbackId(HttpContext? http, Guid referralId, string userId)
    {
        if (http is null || !http.Request.Headers.TryGetValue(Header, out var values)) return null;
        var key = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength || key.Any(c => c is < '!' or > '~'))
            throw ReferralProblem.Field(Header,
                $"Der Idempotency-Key muss aus 1 bis {MaxKeyLength} sichtbaren ASCII-Zeichen bestehen und darf nur einmal angegeben werden.");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"netzwerk-feedback\n{referralId:N}\n{userId}\n{key}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (RFC 9562: custom)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // variant 10
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The earlier answer with this id, or a 422 when the key was used for a different kind of answer.</summary>
    public static PartnerReferrals.Answered? Repeat(Feedback? earlier, string kind, Referral referral)
    {
        if (earlier is null) return null;
        if (earlier.Kind != kind)
            throw ReferralProblem.Unprocessable(
                "Dieser Idempotency-Key wurde bereits für eine andere Rückmeldung zu dieser Verweisung verwendet. Bitte verwenden Sie einen neuen Schlüssel.");
        return new PartnerReferrals.Answered(referral.Id, earlier.Id, referral.Status);
    }
}
