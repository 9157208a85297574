//! Whether a stored ack counts for a proposal. Pure: the store, the config and the clock are the
//! caller's; this module only decides, and says why not in words a reviewer can act on.
//!
//! The signed payload is the only part of an ack record that an attacker with write access to the
//! store cannot change unnoticed, so every binding is checked against it, and the record's
//! structured fields (which reports and the merge gate display) must agree with it.

use ssh_key::PublicKey;

use super::payload::{AckPayload, Decision};
use super::{NAMESPACE, SignError, verify};

/// An ack as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAck {
    pub proposal: String,
    pub team: String,
    pub decision: Decision,
    pub migrating_until: Option<String>,
    pub signer: String,
    pub timestamp: String,
    pub comment: Option<String>,
    /// The exact signed bytes ([`AckPayload::to_text`]).
    pub payload: String,
    /// The armored `-----BEGIN SSH SIGNATURE-----` block.
    pub signature: String,
}

/// What the ack is being counted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalView {
    pub id: String,
    pub asset: String,
    /// The digest of the proposal's current breaking set; an ack for another set is stale.
    pub breaking_digest: String,
}

/// A registered user: their teams and SSH public keys (`ssh-ed25519 AAAA… [comment]`), as the
/// teams' own declarations give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub email: String,
    pub teams: Vec<String>,
    pub public_keys: Vec<String>,
}

/// Why an ack does not count. `Display` is the sentence for people, [`Rejection::code`] the
/// stable word for JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("bad signature: {reason}")]
    BadSignature { reason: String },
    #[error(
        "signature namespace is `{found}`, expected `{NAMESPACE}`: it was made for something other than an ack"
    )]
    WrongNamespace { found: String },
    #[error("the signed payload is not a Tessera ack: {reason}")]
    MalformedPayload { reason: String },
    #[error(
        "the ack is for proposal {signed_proposal} ({signed_asset}), not {proposal} ({asset}): it was copied from another proposal"
    )]
    WrongProposal {
        signed_proposal: String,
        signed_asset: String,
        proposal: String,
        asset: String,
    },
    #[error(
        "the ack approves breaking set {signed}, but the proposal's breaking set is now {current}: the change was revised after the ack, so {team} must acknowledge again"
    )]
    StaleDigest {
        signed: String,
        current: String,
        team: String,
    },
    #[error(
        "the stored {field} {stored} differs from the signed {signed}: the record was changed after signing"
    )]
    PayloadMismatch {
        field: &'static str,
        stored: String,
        signed: String,
    },
    #[error("team {team} is not impacted by proposal {proposal}, so its ack does not count")]
    TeamNotImpacted { team: String, proposal: String },
    #[error("the signing key {fingerprint} is not registered for any user")]
    UnknownKey { fingerprint: String },
    #[error(
        "the ack says it was signed by {claimed}, but the key {fingerprint} belongs to {owners}"
    )]
    SignerMismatch {
        claimed: String,
        owners: String,
        fingerprint: String,
    },
    #[error("{signer} signed for team {team}, but is not a member of it")]
    SignerNotInTeam { signer: String, team: String },
}

impl Rejection {
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::BadSignature { .. } => "bad_signature",
            Rejection::WrongNamespace { .. } => "wrong_namespace",
            Rejection::MalformedPayload { .. } => "malformed_payload",
            Rejection::WrongProposal { .. } => "wrong_proposal",
            Rejection::StaleDigest { .. } => "stale_digest",
            Rejection::PayloadMismatch { .. } => "payload_mismatch",
            Rejection::TeamNotImpacted { .. } => "team_not_impacted",
            Rejection::UnknownKey { .. } => "unknown_key",
            Rejection::SignerMismatch { .. } => "signer_mismatch",
            Rejection::SignerNotInTeam { .. } => "signer_not_in_team",
        }
    }
}

/// `Ok` when `ack` counts for `proposal`: its signature verifies in the `tessera-ack` namespace;
/// the signed payload names this proposal and its current breaking set; the record agrees with
/// the payload; the team is impacted; and the key is registered to the signer named in the
/// payload, who is a member of the acknowledging team. The first failed check is reported, in
/// that order. Base and head digests are not compared: a re-push that keeps the breaking set
/// keeps its acks.
pub fn evaluate(
    ack: &StoredAck,
    proposal: &ProposalView,
    members: &[Member],
    impacted_teams: &[String],
) -> Result<(), Rejection> {
    let verified =
        verify(ack.payload.as_bytes(), &ack.signature, NAMESPACE).map_err(|e| match e {
            SignError::WrongNamespace { found, .. } => Rejection::WrongNamespace { found },
            SignError::BadSignature { reason } | SignError::MalformedSignature { reason } => {
                Rejection::BadSignature { reason }
            }
            other => Rejection::BadSignature {
                reason: other.to_string(),
            },
        })?;
    let signed = AckPayload::parse(&ack.payload).map_err(|e| Rejection::MalformedPayload {
        reason: e.to_string(),
    })?;

    if signed.proposal != proposal.id || signed.asset != proposal.asset {
        return Err(Rejection::WrongProposal {
            signed_proposal: signed.proposal,
            signed_asset: signed.asset,
            proposal: proposal.id.clone(),
            asset: proposal.asset.clone(),
        });
    }
    if signed.breaking_digest != proposal.breaking_digest {
        return Err(Rejection::StaleDigest {
            signed: signed.breaking_digest,
            current: proposal.breaking_digest.clone(),
            team: signed.team,
        });
    }
    check_record(ack, &signed)?;
    if !impacted_teams.contains(&signed.team) {
        return Err(Rejection::TeamNotImpacted {
            team: signed.team,
            proposal: proposal.id.clone(),
        });
    }

    let key = PublicKey::from_openssh(&verified.public_key_openssh).map_err(|e| {
        Rejection::BadSignature {
            reason: e.to_string(),
        }
    })?;
    let owners: Vec<&Member> = members
        .iter()
        .filter(|m| m.public_keys.iter().any(|k| same_key(k, &key)))
        .collect();
    if owners.is_empty() {
        return Err(Rejection::UnknownKey {
            fingerprint: verified.fingerprint_sha256,
        });
    }
    // A key shared by several users (a team key) speaks for whichever of them the payload names.
    let Some(owner) = owners.iter().find(|m| m.email == signed.signer) else {
        return Err(Rejection::SignerMismatch {
            claimed: signed.signer,
            owners: owners
                .iter()
                .map(|m| m.email.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            fingerprint: verified.fingerprint_sha256,
        });
    };
    if !owner.teams.contains(&signed.team) {
        return Err(Rejection::SignerNotInTeam {
            signer: signed.signer,
            team: signed.team,
        });
    }
    Ok(())
}

fn check_record(ack: &StoredAck, signed: &AckPayload) -> Result<(), Rejection> {
    let pairs: [(&'static str, Option<&str>, Option<&str>); 7] = [
        ("proposal", Some(&ack.proposal), Some(&signed.proposal)),
        ("team", Some(&ack.team), Some(&signed.team)),
        (
            "decision",
            Some(ack.decision.name()),
            Some(signed.decision.name()),
        ),
        (
            "migrating-until",
            ack.migrating_until.as_deref(),
            signed.migrating_until.as_deref(),
        ),
        ("signer", Some(&ack.signer), Some(&signed.signer)),
        ("timestamp", Some(&ack.timestamp), Some(&signed.timestamp)),
        ("comment", ack.comment.as_deref(), signed.comment.as_deref()),
    ];
    let show = |v: Option<&str>| v.map_or_else(|| "(none)".to_string(), |s| format!("`{s}`"));
    match pairs
        .into_iter()
        .find(|(_, stored, signed)| stored != signed)
    {
        Some((field, stored, signed)) => Err(Rejection::PayloadMismatch {
            field,
            stored: show(stored),
            signed: show(signed),
        }),
        None => Ok(()),
    }
}

/// Keys are compared by their key material: the comment is a label anyone can change.
fn same_key(registered: &str, key: &PublicKey) -> bool {
    PublicKey::from_openssh(registered.trim()).is_ok_and(|k| k.key_data() == key.key_data())
}

#[cfg(test)]
pub(crate) mod tests;
