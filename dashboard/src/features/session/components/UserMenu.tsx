/** Who is signed in, with which role, and the way out. */
import type { CurrentUser } from '@/lib/contract';

/** Props of {@link UserMenu}. */
export interface UserMenuProps {
  readonly user: CurrentUser;
  /** A logout is under way. */
  readonly loggingOut: boolean;
  readonly onLogout: () => void;
}

/** The user's name and role, and a "Log out" button. */
export function UserMenu({ user, loggingOut, onLogout }: UserMenuProps) {
  return (
    <span className="user-menu">
      <span className="user" data-testid="user" data-username={user.username} data-role={user.role}>
        {user.username} <span className="muted small">· {user.role}</span>
      </span>
      <button type="button" className="button subtle" data-testid="logout" disabled={loggingOut} onClick={onLogout}>
        Log out
      </button>
    </span>
  );
}
