package queue

import (
	"context"
	"errors"
	"fmt"
)

// outcome is what one attempt at a user's account came to.
type outcome struct {
	activated bool
	temporary bool
	result    string
}

// Okta's user statuses, as far as activation cares.
const (
	oktaStaged          = "STAGED"
	oktaProvisioned     = "PROVISIONED"
	oktaActive          = "ACTIVE"
	oktaRecovery        = "RECOVERY"
	oktaLockedOut       = "LOCKED_OUT"
	oktaPasswordExpired = "PASSWORD_EXPIRED"
	oktaSuspended       = "SUSPENDED"
	oktaDeprovisioned   = "DEPROVISIONED"
)

// activate reads the user's status first and calls activate only for an
// account that needs it, so that a repeated attempt never activates twice.
func (s *Service) activate(ctx context.Context, r *Request) outcome {
	account, err := s.accounts.FindUser(ctx, r.Login)
	if err != nil {
		return lookupFailed(r.Login, err)
	}
	if s.needsActivation(account) {
		return s.callActivate(ctx, r, account)
	}
	return settled(account)
}

func (s *Service) needsActivation(account Account) bool {
	return account.Status == oktaStaged ||
		account.Status == oktaDeprovisioned && s.cfg.AllowReenable
}

// settled is the outcome for an account that needs no activate call.
func settled(account Account) outcome {
	switch account.Status {
	case oktaDeprovisioned:
		return outcome{result: "this account was deactivated (DEPROVISIONED); " +
			"dayone does not re-enable it"}
	case oktaSuspended:
		return outcome{result: "this account is suspended; " +
			"dayone does not re-enable it, unsuspend it in Okta"}
	case oktaProvisioned:
		return outcome{activated: true,
			result: "activation email already sent, not yet completed by the user"}
	case oktaActive, oktaLockedOut, oktaPasswordExpired, oktaRecovery:
		return outcome{activated: true,
			result: fmt.Sprintf("already active (Okta status %s); nothing to do", account.Status)}
	}
	return outcome{result: fmt.Sprintf("unexpected Okta status %q; nothing was done", account.Status)}
}

func (s *Service) callActivate(ctx context.Context, r *Request, account Account) outcome {
	activation, err := s.accounts.Activate(ctx, account.ID, r.SendEmail)
	if err != nil {
		return s.activateFailed(ctx, r, err)
	}

	switch {
	case r.SendEmail:
		return outcome{activated: true, result: "activated; Okta sent the activation email"}
	case activation.LinkIssued:
		return outcome{activated: true, result: "activated; no email was sent " +
			"(Okta issued an activation link, which dayone does not keep)"}
	}
	return outcome{result: "activated without an email, but Okta returned no activation " +
		"link; nobody can finish the activation: resend it from Okta"}
}

// activateFailed reads the user's status again after a refused call: when
// someone else activated the account meanwhile, that is the outcome to record.
func (s *Service) activateFailed(ctx context.Context, r *Request, err error) outcome {
	failed := classify("activation failed", err)
	if failed.temporary {
		return failed
	}

	account, lookupErr := s.accounts.FindUser(ctx, r.Login)
	if lookupErr != nil || s.needsActivation(account) {
		return failed
	}
	return settled(account)
}

func lookupFailed(login string, err error) outcome {
	if errors.Is(err, ErrAccountNotFound) {
		return outcome{result: fmt.Sprintf("no Okta user has the login %s; "+
			"check the spelling or create the user in Okta first", login)}
	}
	return classify("user lookup failed", err)
}

func classify(what string, err error) outcome {
	return outcome{
		temporary: errors.Is(err, ErrTemporary),
		result:    fmt.Sprintf("%s: %v", what, err),
	}
}
