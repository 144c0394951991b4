use crate::support::*;

fn refused(envs: &[(&str, &str)], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = hallpass();
    cmd.args([
        "serve",
        "--fapi-addr",
        "127.0.0.1:0",
        "--bapi-addr",
        "127.0.0.1:0",
        "--data-dir",
    ])
    .arg(dir.path())
    .args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "should refuse to start: {envs:?} {args:?}"
    );
    assert!(
        !dir.path().join("hallpass.sqlite3").exists(),
        "nothing created"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_settings_stop_start_up_with_a_message_naming_them() {
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("HALLPASS__SESSIONS__TOKEN_LIFETIME_SECS", "1")],
            "token_lifetime",
        ),
        (
            &[("HALLPASS__SESSIONS__TOKEN_LIFETIME_SECS", "soon")],
            "token_lifetime_secs",
        ),
        (&[("HALLPASS__ENVIRONMENT", "staging")], "environment"),
        (
            &[("HALLPASS__FRONTEND_API_URL", "http://localhost:3000")],
            "frontend_api_url",
        ),
        (&[("HALLPASS__SESION__MULTI_SESSION", "true")], "sesion"),
    ];
    for (envs, name) in cases {
        let stderr = refused(envs, &[]);
        assert!(stderr.contains(name), "{envs:?}: {stderr}");
    }
}

#[test]
fn a_config_file_is_read_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hallpass.toml");
    std::fs::write(&file, "[sessions]\ntoken_lifetime_secs = 5\n").unwrap();
    let stderr = refused(&[], &["--config", file.to_str().unwrap()]);
    assert!(stderr.contains("token_lifetime"), "{stderr}");

    std::fs::write(&file, "database_url = \"mysql://nope\"\n").unwrap();
    let stderr = refused(&[], &["--config", file.to_str().unwrap()]);
    assert!(stderr.contains("database_url"), "{stderr}");

    // An unusable listen address in the file, overridden by the flag that
    // `serve` passes (`--fapi-addr 127.0.0.1:0`): the server starts.
    std::fs::write(&file, "[listen]\nfapi = \"nowhere\"\n").unwrap();
    let server = serve(dir.path(), &["--config", file.to_str().unwrap()]);
    assert!(
        server.fapi.starts_with("http://127.0.0.1:"),
        "{}",
        server.fapi
    );
}

#[tokio::test]
async fn organization_roles_and_the_lockout_come_from_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hallpass.toml");
    std::fs::write(
        &file,
        "[[organizations.roles]]\nkey = \"org:analyst\"\npermissions = [\"org:reports\"]\n",
    )
    .unwrap();
    let stderr = refused(&[], &["--config", file.to_str().unwrap()]);
    assert!(
        stderr.contains("organizations.roles") && stderr.contains("org:reports"),
        "{stderr}"
    );

    std::fs::write(
        &file,
        "[[organizations.roles]]\nkey = \"org:analyst\"\nname = \"Data analyst\"\n\
         permissions = [\"org:reports:read\"]\n\n[users]\nlockout_duration_secs = 0\n",
    )
    .unwrap();
    let server = serve(dir.path(), &["--config", file.to_str().unwrap()]);
    let json = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 200);
        res.json::<serde_json::Value>().await.unwrap()
    };
    let user = json(
        server
            .bapi(reqwest::Method::POST, "/v1/users")
            .json(&serde_json::json!({"username": "analyst"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let user = user["id"].as_str().unwrap();
    let org = json(
        server
            .bapi(reqwest::Method::POST, "/v1/organizations")
            .json(&serde_json::json!({"name": "Reports"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let member = json(
        server
            .bapi(
                reqwest::Method::POST,
                &format!(
                    "/v1/organizations/{}/memberships",
                    org["id"].as_str().unwrap()
                ),
            )
            .json(&serde_json::json!({"user_id": user, "role": "org:analyst"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(member["role_name"], "Data analyst");
    assert_eq!(
        member["permissions"],
        serde_json::json!(["org:reports:read"])
    );
    let locked = json(
        server
            .bapi(reqwest::Method::POST, &format!("/v1/users/{user}/lock"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(locked["locked"], true);
    assert_eq!(
        locked["lockout_expires_in_seconds"],
        serde_json::Value::Null,
        "until unlocked"
    );
}
