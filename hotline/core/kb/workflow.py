"""Article states (草稿 → 待审核 → 已发布 → 已归档) and the one table of allowed transitions."""

from dataclasses import dataclass
from enum import StrEnum

from hotline.core.accounts.permissions import Permission, roles_with
from hotline.core.accounts.roles import Role


class ArticleState(StrEnum):
    """Where an article's latest version stands. What is served is separate: the article's
    published version (if any) stays searchable while a newer version is drafted and
    reviewed, until the article is archived."""

    DRAFT = "draft"  # 草稿: the latest version is being written
    SUBMITTED = "submitted"  # 待审核: the latest version waits for a reviewer
    PUBLISHED = "published"  # 已发布: the latest version is the one served
    ARCHIVED = "archived"  # 已归档: withdrawn from search; kept for the record


class ArticleAction(StrEnum):
    """Something a person does to an article."""

    EDIT = "edit"  # write a new version (a draft)
    SUBMIT = "submit"  # send the latest version for review
    PUBLISH = "publish"  # reviewer: the latest version becomes the served one
    SEND_BACK = "send_back"  # reviewer: back to draft
    ARCHIVE = "archive"  # reviewer: withdraw from search
    RESTORE = "restore"  # reviewer: an archived article back to draft


class KbEventKind(StrEnum):
    """What the usage table records."""

    VIEW = "view"  # someone opened the article
    USE = "use"  # the article answered a call (an order)
    HELPFUL = "helpful"  # feedback: it helped
    OUTDATED = "outdated"  # feedback: it is out of date or wrong


@dataclass(frozen=True)
class Transition:
    """One allowed move and who may make it; `not_author`: never the article's author."""

    to: ArticleState
    roles: frozenset[Role]
    not_author: bool = False


_WRITERS = roles_with(Permission.WRITE_KB)
_REVIEWERS = roles_with(Permission.REVIEW_KB)

S = ArticleState
A = ArticleAction
# (state, action) -> transition. Editing a published article makes a new draft version;
# the published version keeps being served until the new one is published.
TRANSITIONS: dict[tuple[ArticleState, ArticleAction], Transition] = {
    (S.DRAFT, A.EDIT): Transition(S.DRAFT, _WRITERS),
    (S.DRAFT, A.SUBMIT): Transition(S.SUBMITTED, _WRITERS),
    (S.DRAFT, A.ARCHIVE): Transition(S.ARCHIVED, _REVIEWERS),
    (S.SUBMITTED, A.EDIT): Transition(S.DRAFT, _WRITERS),
    (S.SUBMITTED, A.PUBLISH): Transition(S.PUBLISHED, _REVIEWERS, not_author=True),
    (S.SUBMITTED, A.SEND_BACK): Transition(S.DRAFT, _REVIEWERS),
    (S.SUBMITTED, A.ARCHIVE): Transition(S.ARCHIVED, _REVIEWERS),
    (S.PUBLISHED, A.EDIT): Transition(S.DRAFT, _WRITERS),
    (S.PUBLISHED, A.ARCHIVE): Transition(S.ARCHIVED, _REVIEWERS),
    (S.ARCHIVED, A.RESTORE): Transition(S.DRAFT, _REVIEWERS),
}


class TransitionError(Exception):
    """A move the table does not allow from this state, for this role or for the author."""

    def __init__(self, code: str, state: ArticleState, action: ArticleAction) -> None:
        super().__init__(f"{code}: {action} from {state}")
        self.code = code
        self.state = state
        self.action = action


def apply(
    state: ArticleState, action: ArticleAction, role: Role | None, *, is_author: bool
) -> ArticleState:
    """The state after `action`, or TransitionError. `role` None is the system (the
    importer), which may make any move in the table."""
    transition = TRANSITIONS.get((state, action))
    if transition is None:
        raise TransitionError("kb_not_allowed_in_state", state, action)
    if role is not None:
        if role not in transition.roles:
            raise TransitionError("not_allowed_for_role", state, action)
        if transition.not_author and is_author:
            raise TransitionError("kb_own_article", state, action)
    return transition.to


def available_actions(state: ArticleState, role: Role, *, is_author: bool) -> list[ArticleAction]:
    """The moves a person in `role` may make on an article in `state`, in table order."""
    return [
        a
        for (s, a), t in TRANSITIONS.items()
        if s == state and role in t.roles and not (t.not_author and is_author)
    ]
