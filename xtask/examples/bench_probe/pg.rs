//! A dedicated PostgreSQL database per bench: created before, dropped after
//! (with `WITH (FORCE)`, so a server still connected cannot keep it alive).

use anyhow::{Context, Result, bail};
use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

/// Which server, and which database on it.
#[derive(clap::Args)]
pub struct PgArgs {
    /// A URL of the server (any database the user can connect to).
    #[arg(long)]
    admin_url: String,
    /// The database to create or drop: letters, digits and `_` only.
    #[arg(long)]
    name: String,
}

fn checked(name: &str) -> Result<&str> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("database name {name:?} must be letters, digits and underscores");
    }
    Ok(name)
}

fn connect(url: &str) -> Result<PgConnection> {
    PgConnection::establish(url).context("cannot connect to the postgresql server")
}

/// `CREATE DATABASE name`.
pub fn create(args: &PgArgs) -> Result<()> {
    let name = checked(&args.name)?;
    let mut conn = connect(&args.admin_url)?;
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .with_context(|| format!("cannot create database {name}"))?;
    println!("{}", serde_json::json!({ "created": name }));
    Ok(())
}

/// `DROP DATABASE IF EXISTS name WITH (FORCE)`.
pub fn drop_database(args: &PgArgs) -> Result<()> {
    let name = checked(&args.name)?;
    let mut conn = connect(&args.admin_url)?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .with_context(|| format!("cannot drop database {name}"))?;
    println!("{}", serde_json::json!({ "dropped": name }));
    Ok(())
}

/// The server to sweep.
#[derive(clap::Args)]
pub struct SweepArgs {
    /// A URL of the server.
    #[arg(long)]
    admin_url: String,
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// Drops the `intelligence_bench_<pid>_*` databases whose bench process no
/// longer runs (a bench killed before its guards ran).
pub fn sweep(args: &SweepArgs) -> Result<()> {
    let mut conn = connect(&args.admin_url)?;
    let names: Vec<Named> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'intelligence\\_bench\\_%'",
    )
    .load(&mut conn)?;
    let mut dropped = Vec::new();
    for Named { datname } in names {
        let pid = datname
            .strip_prefix("intelligence_bench_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if pid.is_some() && !alive {
            let name = checked(&datname)?;
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .with_context(|| format!("cannot drop database {name}"))?;
            dropped.push(datname);
        }
    }
    println!("{}", serde_json::json!({ "dropped": dropped }));
    Ok(())
}
