"""Messages for the error codes that services and parsers raise."""

from flask_babel import lazy_gettext as _l

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
    "transfer_not_allowed": _l(
        "No rule allows a transfer to this unit: return the order to the desk instead."
    ),
    "supervisor_decides": _l(
        "This order was returned or transferred three times: a supervisor decides its unit."
    ),
    "decided_by_supervisor": _l(
        "A supervisor decided this unit handles the order: it can no longer be sent away."
    ),
    "no_recording": _l("This call has no recording (it was not answered, or it was deleted)."),
    "no_phone": _l("You have no phone extension: ask the security administrator for one."),
    "role_answers_no_calls": _l("This role answers no calls: it gets no phone extension."),
    "on_a_call": _l("Your phone is ringing or on a call: choose again after the call."),
    "not_a_choice": _l("Choose ready, busy, a break or signed out."),
    "reason_required": _l("Give the reason for the break."),
    "merged": _l("This order is merged into another (并单): it follows that order."),
    "merge_target_unknown": _l("No such open order to merge into."),
    "merge_same_order": _l("An order cannot be merged into itself."),
    "merge_not_open": _l("Only open orders can be merged or unmerged."),
    "already_merged": _l("One of the orders is already merged into another."),
    "has_merged_orders": _l("Other orders are merged into this one: it cannot follow another."),
    "not_merged": _l("This order is not merged."),
    "tasks_open": _l("Tasks are still open: wait for their replies or withdraw them first."),
    "accept_first": _l("Accept (签收) the order first."),
    "not_a_sub_unit": _l("Choose one of your unit's sub-units or staff."),
    "own_unit": _l("Your own unit cannot assist itself: assign the work within the unit."),
    "already_assigned": _l("The order is already assigned within the unit: withdraw that first."),
    "task_open_already": _l("That unit already has an open task on this order."),
    "whistle_cannot_decline": _l(
        "A call from a sub-district or town (吹哨) must be answered: it cannot be declined."
    ),
    "notice_withdrawn": _l(
        "This notice was withdrawn when the order left your unit: it needs no answer."
    ),
    "has_sub_units": _l("This unit has sub-units of its own: it cannot become a sub-unit."),
    "too_many_units": _l("Ask at most ten units at a time."),
    "after_order_due": _l("A task must be due by the order's own due time."),
    "same_department": _l("The order is already with this department."),
    "not_allowed_in_state": _l("This action is not possible in the order's current state."),
    "not_allowed_for_role": _l("Your role may not take this action."),
    "kb_not_allowed_in_state": _l("This is not possible in the article's current state."),
    "kb_own_article": _l("You may not publish an article you wrote or edited yourself."),
    "kb_not_served": _l("This article is not published (any more): its answer cannot be used."),
    "kb_order_not_answered": _l(
        "Only a closed order with an answer (closed at intake, or a reply the desk approved) "
        "can become an article."
    ),
    "note_required": _l("Please give a reason or a reply text."),
    "invalid_date": _l("Use the date format YYYY-MM-DD."),
    "before_start": _l("The end date is before the start date."),
    "invalid": _l("This value is not valid."),
    # Attachments (the web layer fills in %(mb)s and %(count)s).
    "file_type_refused": _l(
        "This file is not a JPEG, PNG or WebP image or a PDF document (judged by its content, "
        "not its name); nothing was stored."
    ),
    "file_too_large": _l("A file is larger than %(mb)s MB; nothing was stored."),
    "too_many_files": _l("At most %(count)s files at a time; nothing was stored."),
    "empty_file": _l("A file is empty; nothing was stored."),
    "image_unreadable": _l("An image could not be read (damaged?); nothing was stored."),
    "image_too_large": _l("An image has too many pixels; nothing was stored."),
    "no_file": _l("Choose at least one file."),
    "attachments_order_closed": _l("Files can be added only while the order is open."),
    "pdf_confidential": _l(
        "A confidential report takes photos only: a PDF can carry its author's name; nothing "
        "was stored."
    ),
    # Supervision notices.
    "already_answered": _l("This notice has already been answered."),
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
    "required_for_station_staff": _l("A station duty room's account must name its station."),
    "required_for_hospital_desk": _l("A hospital desk's account must name its hospital."),
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
    "vehicle_taken": _l(
        "Another dispatcher took that vehicle a moment ago: see the fresh recommendation."
    ),
    "incident_not_open": _l("The incident is no longer open."),
    "job_cleared": _l("This job was taken from the vehicle before the crew acknowledged it."),
    "job_acknowledged": _l("The crew acknowledged the job a moment ago: it is on its way."),
    "vehicle_still_assigned": _l("A vehicle is still assigned: restore or clear it first."),
    "patient_on_board": _l("A vehicle is transporting a patient: it cannot be withdrawn."),
    "dispatch_needs_an_incident": _l("Dispatch a vehicle from an incident's page."),
    "vehicle_transition_not_allowed": _l(
        "The vehicle cannot move to that status from its current one."
    ),
    "time_before_last_status": _l("That time is before the vehicle's last status."),
    "score_out_of_range": _l("Give a score from 1 to 10."),
    "survey_finished": _l("This survey has already been completed."),
    "already_tried_today": _l(
        "A missed call was already recorded today: the next try must be on another day."
    ),
    "duplicate_codes": _l("The file gives the same code to more than one area."),
    "no_polygons": _l("The file holds no polygons."),
    "missing": _l("This is missing."),
    "unknown_service": _l("Unknown service code."),
    "locked": _l("Too many failed logins. The account is locked for a few minutes."),
    "password_too_short": _l("The password is shorter than the password policy allows."),
    "password_too_long": _l("The password is too long (at most 256 characters)."),
    "password_too_simple": _l(
        "Use at least three of: lower-case letters, capitals, digits and other characters."
    ),
    "password_contains_username": _l("The password may not contain the username."),
    "password_reused": _l("This password was used recently: choose another one."),
    "password_mismatch": _l("The two new passwords differ."),
    "wrong_password": _l("The password is wrong."),
    "own_role": _l("Nobody may change their own role."),
    "administrator_account": _l(
        "An administrator's account is changed only by its holder or at the server's console;"
        " the security administrator can first take its role away."
    ),
    "throttled": _l("Too many attempts. Please wait a moment and try again."),
    # The patient record (院前急救病历): core/ems/patients.py.
    "unknown_field": _l("This field is not part of the patient record."),
    "invalid_number": _l("Enter a number."),
    "unknown_complaint": _l("Choose a chief complaint from the list."),
    "unknown_diagnosis": _l("Choose a diagnosis from the list."),
    "refusal_reason_required": _l("Give the reason for the refusal."),
    "dbp_not_below_sbp": _l("The diastolic pressure must be below the systolic pressure."),
    "no_vitals": _l("Enter at least one vital sign."),
    "before_dispatch": _l("That time is before the vehicle was dispatched."),
    "idempotency_key_reused": _l(
        "This Idempotency-Key was already used for another request: send a new key."
    ),
    "in_future": _l("That time is in the future."),
    "after_handover": _l("That time is after the hand-over at hospital."),
    "before_at_hospital": _l("The hand-over cannot be before arrival at hospital."),
    "before_last_entry": _l("The hand-over cannot be before the record's last entry."),
    "too_many": _l("The record holds too many of these already."),
}
