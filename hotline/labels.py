"""Translatable labels for codes that the core and services use."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "operator": _l("Intake operator"),
    "desk": _l("Dispatch desk"),
    "department": _l("Department staff"),
    "ems_dispatcher": _l("120 dispatcher"),
    "survey": _l("Callback operator"),
    "supervisor": _l("Supervisor"),
    "official": _l("Official"),
    "admin": _l("Administrator"),
}

STATE_LABELS = {
    "registered": _l("Awaiting dispatch"),
    "routed": _l("Dispatched"),
    "accepted": _l("Accepted"),
    "returned": _l("Returned"),
    "replied": _l("Replied"),
    "closed": _l("Closed"),
    "closed_at_intake": _l("Closed at intake"),
    "cancelled": _l("Cancelled"),
}

ACTION_LABELS = {
    "create": _l("Registered"),
    "route": _l("Dispatch"),
    "reroute": _l("Re-dispatch"),
    "cancel": _l("Cancel"),
    "accept": _l("Accept"),
    "return": _l("Return"),
    "reply": _l("Reply"),
    "approve": _l("Approve and close"),
    "send_back": _l("Send back"),
    "classify": _l("Classify and route"),
    "escalate": _l("Escalated"),
    "extension_request": _l("Extension requested"),
    "extension_approve": _l("Extension approved"),
    "extension_refuse": _l("Extension refused"),
    "remind_set": _l("Reminder set"),
    "reopen": _l("Reopen"),
    "survey_scheduled": _l("Callback scheduled"),
    "survey_skipped": _l("No callback (confidential, no consent, or no phone)"),
    "survey_answered": _l("Callback: answered"),
    "survey_not_reached": _l("Callback: not reached"),
    "survey_declined": _l("Callback: declined"),
    "survey_later": _l("Callback: call again later"),
}

CAPABILITY_LABELS = {
    "chest_pain": _l("Chest-pain centre"),
    "stroke": _l("Stroke centre"),
    "trauma": _l("Trauma"),
    "paediatrics": _l("Paediatrics"),
    "obstetrics": _l("Obstetrics"),
    "burns": _l("Burns"),
}

VEHICLE_STATUS_LABELS = {
    "available": _l("Available"),
    "dispatched": _l("Dispatched"),
    "en_route": _l("En route"),
    "on_scene": _l("On scene"),
    "transporting": _l("Transporting"),
    "at_hospital": _l("At hospital"),
    "returning": _l("Returning"),
    "out_of_service": _l("Out of service"),
}

STAMP_LABELS = {
    "assigned_at": _l("assigned"),
    "dispatched_at": _l("dispatched"),
    "en_route_at": _l("en route"),
    "on_scene_at": _l("on scene"),
    "transporting_at": _l("transporting"),
    "at_hospital_at": _l("at hospital"),
    "cleared_at": _l("cleared"),
}

INCIDENT_STATE_LABELS = {
    "open": _l("Open"),
    "closed": _l("Finished"),
    "withdrawn": _l("Withdrawn"),
}

WITHDRAW_LABELS = {
    "false_alarm": _l("False alarm"),
    "malicious": _l("Malicious call"),
    "duplicate": _l("Duplicate"),
}

INCIDENT_ACTION_LABELS = {
    "create": _l("Call registered"),
    "dispatch": _l("Vehicle dispatched"),
    "release": _l("Vehicle released"),
    "withdraw": _l("Withdrawn"),
    "close": _l("Finished"),
    **{f"status_{code}": label for code, label in VEHICLE_STATUS_LABELS.items()},
}

PERIOD_LABELS = {
    "day": _l("Day"),
    "week": _l("Week"),
    "month": _l("Month"),
    "quarter": _l("Quarter"),
    "year": _l("Year"),
    "range": _l("Date range"),
}

PRIORITY_LABELS = {
    "normal": _l("Normal"),
    "urgent": _l("Urgent"),
}

SURVEY_STATE_LABELS = {
    "due": _l("To call"),
    "done": _l("Answered"),
    "declined": _l("Declined"),
    "unreachable": _l("Unreachable"),
}

OUTCOME_LABELS = {
    "answered": _l("Reached, survey answered"),
    "not_reached": _l("Not reached"),
    "declined": _l("Caller declines the survey"),
    "later": _l("Call me later"),
}

SATISFACTION_LABELS = {
    "satisfied": _l("Satisfied"),
    "basic": _l("Basically satisfied"),
    "dissatisfied": _l("Dissatisfied"),
}

ATTITUDE_LABELS = {
    "satisfied": _l("Satisfied"),
    "neutral": _l("Average"),
    "dissatisfied": _l("Dissatisfied"),
}

LEVEL_LABELS = {
    0: "",
    1: _l("Deadline near"),
    2: _l("Reminded (overdue)"),
    3: _l("Under supervision"),
    4: _l("Raised to officials"),
}

TYPE_LABELS = {
    "inquiry": _l("Inquiry"),
    "help": _l("Help request"),
    "complaint": _l("Complaint"),
    "tip_off": _l("Report"),
    "suggestion": _l("Suggestion"),
    "praise": _l("Praise"),
}

CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "web": _l("Web"),
    "letter": _l("Letter"),
    "email": _l("Email"),
    "sms": _l("SMS"),
    "app": _l("App"),
    "api": _l("API"),
}

KIND_LABELS = {
    "urban_management": _l("Urban management"),
    "housing": _l("Housing and construction"),
    "market": _l("Market regulation"),
    "environment": _l("Ecology and environment"),
    "transport": _l("Transport"),
    "water": _l("Water affairs"),
    "hrss": _l("Human resources and social security"),
    "education": _l("Education"),
    "health": _l("Health"),
    "civil_affairs": _l("Civil affairs"),
    "police": _l("Police (non-emergency)"),
    "government": _l("District government office"),
    "subway": _l("Subway operator"),
    "water_utility": _l("Water utility"),
    "heating_utility": _l("Heating utility"),
    "gas_utility": _l("Gas utility"),
    "power_utility": _l("Power utility"),
}

UNIT_LABELS = {
    "working_days": _l("working days"),
    "working_hours": _l("working hours"),
    "calendar_days": _l("calendar days"),
    "calendar_hours": _l("hours"),
}

REASON_LABELS = {
    "explicit_rule_district": _l("an explicit rule for this category in this district"),
    "explicit_rule_city": _l("an explicit rule for this category"),
    "city_level_kind": _l("the category is handled by a city-level body"),
    "district_kind": _l("the category's responsible body in the district of the location"),
    "no_location": _l("no location: the dispatch desk decides"),
    "no_department": _l("no responsible body in that district: the dispatch desk decides"),
    "no_category_kind": _l("the category has no responsible body: the dispatch desk decides"),
    "outside_all_jurisdictions": _l("the location is outside every district: manual triage"),
    "manual": _l("dispatched by hand"),
    "warning": _l("deadline near"),
    "reminder": _l("overdue: the department is reminded"),
    "supervision": _l("overdue for over a day: under supervision"),
    "official": _l("overdue for over three days: raised to officials"),
}

ERROR_LABELS = {
    "required": _l("This field is required."),
    "invalid_choice": _l("Please choose one of the options."),
    "invalid_phone": _l("Enter a valid Chinese mobile (11 digits) or landline number."),
    "too_long": _l("This text is too long."),
    "too_short": _l("This is too short (at least 10 characters)."),
    "invalid_coordinates": _l("Longitude and latitude must be numbers in degrees."),
    "only_for_reports": _l("Only reports (举报) can be confidential."),
    "only_for_inquiries": _l("Only inquiries can be closed at intake."),
    "unknown_category": _l("Choose a category from the list."),
    "unknown_district": _l("Unknown district."),
    "unknown_department": _l("Unknown department."),
    "same_department": _l("The order is already with this department."),
    "not_allowed_in_state": _l("This action is not possible in the order's current state."),
    "not_allowed_for_role": _l("Your role may not take this action."),
    "note_required": _l("Please give a reason or a reply text."),
    "invalid_date": _l("Use the date format YYYY-MM-DD."),
    "before_start": _l("The end date is before the start date."),
    "invalid": _l("This value is not valid."),
    "stale_version": _l(
        "Someone else changed this order in the meantime. Reload it and try again."
    ),
    "username_taken": _l("This username is taken."),
    "name_taken": _l("This name is taken."),
    "code_taken": _l("This code is taken."),
    "rule_exists": _l("A rule for this category and district already exists."),
    "must_be_major_category": _l("The parent must be a major category."),
    "must_be_minor_category": _l("Choose a minor category."),
    "required_for_department_staff": _l("Department staff must belong to a department."),
    "out_of_range": _l("The value is out of range."),
    "bad_credentials": _l("Wrong username or password."),
    "after_deadline": _l("The deadline has passed: an extension must be asked for before it."),
    "not_later": _l("The new day must be after the current due time."),
    "already_pending": _l("An extension request for this order is already waiting."),
    "already_decided": _l("This request has already been decided."),
    "not_in_future": _l("Choose a time in the future."),
    "invalid_datetime": _l("Use a date and time, e.g. 2026-11-25T09:00."),
    "rule_matches_everything": _l(
        "Choose at least a type, a category or a priority (the types' defaults cover the rest)."
    ),
    "number_locked": _l("This number is locked as a malicious caller: confirm to go on."),
    "vehicle_taken": _l("Another dispatcher took that vehicle a moment ago."),
    "incident_not_open": _l("The incident is no longer open."),
    "vehicle_still_assigned": _l("A vehicle is still assigned: restore or clear it first."),
    "patient_on_board": _l("A vehicle is transporting a patient: it cannot be withdrawn."),
    "dispatch_needs_an_incident": _l("Dispatch a vehicle from an incident's page."),
    "vehicle_transition_not_allowed": _l(
        "The vehicle cannot move to that status from its current one."
    ),
    "time_before_last_status": _l("That time is before the vehicle's last status."),
    "score_out_of_range": _l("Give a score from 1 to 10."),
    "survey_finished": _l("This callback has already been completed."),
    "already_tried_today": _l(
        "A missed call was already recorded today: the next try must be on another day."
    ),
    "locked": _l("Too many failed logins. The account is locked for a few minutes."),
}


def error_text(code: str) -> str:
    """A translated message for an error code (the code itself if unknown)."""
    label = ERROR_LABELS.get(code)
    return str(label) if label is not None else code
