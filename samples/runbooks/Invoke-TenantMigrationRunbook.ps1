<#
.SYNOPSIS
    Azure Automation runbook (PowerShell 7.4 runtime): migrates every tenant schema of a PostgreSQL database.

.DESCRIPTION
    Reads everything it needs from Automation assets and never prompts:
      - the credential asset named by -CredentialName (Get-AutomationPSCredential) holds the database user and password;
      - the variable asset named by -ConnectionVariableName holds the connection string without any password,
        e.g. 'Host=pg.example.com;Database=app;SSL Mode=Require'.
    Import the TenantMigrations module into the Automation account (runtime 7.4) and put the migrations folder where
    the runbook can read it: a folder shipped inside a module of the account, or one downloaded to $env:TEMP first.

    The job's output is one result per tenant; per-tenant failures are written as errors and the job ends with a
    terminating error when any tenant failed, so the job shows as Failed and alerts can fire.

.PARAMETER MigrationsPath
    The migrations folder.

.PARAMETER SchemaLike
    The LIKE pattern of the tenant schemas.

.PARAMETER Partition
    'i/N': migrate only the i-th of N stable shares of the tenants (see Invoke-TenantMigrationFanOut.ps1, which
    starts one job per share). Tenants another job holds are then skipped, not failed.

.PARAMETER DryRun
    Plans only: every tenant is reported with the versions it would apply (ShouldProcess -WhatIf) and nothing changes.
#>
param(
    [Parameter(Mandatory)]
    [string] $MigrationsPath,

    [string] $SchemaLike = 'tenant_%',

    [string] $CredentialName = 'TenantMigrations-Database',

    [string] $ConnectionVariableName = 'TenantMigrations-ConnectionString',

    [ValidateRange(1, 64)]
    [int] $ThrottleLimit = 8,

    [string] $Partition,

    [bool] $DryRun = $false
)

$ErrorActionPreference = 'Stop'
# A runbook has no one to answer a prompt: never ask, whatever the cmdlets' ConfirmImpact.
$ConfirmPreference = 'None'
Import-Module TenantMigrations

$credential = Get-AutomationPSCredential -Name $CredentialName
$connectionString = Get-AutomationVariable -Name $ConnectionVariableName

$tenants = Get-Tenant -ConnectionString $connectionString -SchemaLike $SchemaLike -Credential $credential
Write-Output "Found $(@($tenants).Count) tenant schemas like '$SchemaLike'."

# Per-tenant failures must not stop the run: collect them, report them, then fail the job at the end.
$share = if ($Partition) { @{ Partition = $Partition; SkipLocked = $true; LockTimeoutSec = 0 } } else { @{} }
$results = $tenants | Invoke-TenantMigration -Path $MigrationsPath -ThrottleLimit $ThrottleLimit @share -WhatIf:$DryRun -Confirm:$false -ErrorAction Continue -ErrorVariable tenantErrors

# Under -WhatIf the pending tenants come back as planned results (DryRun, Planned), so a dry run reports them too.
$results | Select-Object TenantName, StateBeforeName, StateAfterName, VersionBefore, VersionAfter, AppliedVersions, PlannedVersions, @{ Name = 'Error'; Expression = { $_.Error.ErrorId } } | Format-Table -AutoSize | Out-String | Write-Output

if ($tenantErrors.Count -gt 0) {
    $summary = $tenantErrors | ForEach-Object { '{0}: {1}' -f $_.TargetObject.TenantName, $_.FullyQualifiedErrorId.Split(',')[0] }
    throw "$($tenantErrors.Count) tenant(s) did not migrate: $($summary -join '; ')"
}
if ($DryRun) {
    $planned = @($results | Where-Object { $_.Planned.Count -gt 0 })
    Write-Output "Dry run: $(@($results).Count) tenants checked, $($planned.Count) would be migrated; nothing changed."
}
else {
    Write-Output "All $(@($results).Count) tenants are migrated."
}
