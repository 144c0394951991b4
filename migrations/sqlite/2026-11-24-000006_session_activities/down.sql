DROP TABLE session_activities;
