<#
.SYNOPSIS
    Azure Automation fan-out: starts one child job per partition of the fleet on a Hybrid Worker group and waits for
    them, so that several workers migrate one fleet without a scheduler of their own.

.DESCRIPTION
    Each child job runs samples/runbooks/Invoke-TenantMigrationRunbook.ps1 published as 'Invoke-TenantMigrationRunbook'
    with -Partition 'i/N'. The partitions are stable hash shares of the tenant names, so together they cover every
    tenant exactly once, whatever order discovery returns them in. -SkipLocked in the children lets an overlapping
    job (a retry, the next schedule) pass over tenants that another job still holds, without failing.

    Needs the Az.Automation module and a managed identity allowed to start jobs in the Automation account.
#>
param(
    [Parameter(Mandatory)] [string] $ResourceGroupName,
    [Parameter(Mandatory)] [string] $AutomationAccountName,
    [Parameter(Mandatory)] [string] $HybridWorkerGroup,
    [Parameter(Mandatory)] [string] $MigrationsPath,
    [ValidateRange(1, 64)] [int] $Partitions = 4,
    [string] $ChildRunbook = 'Invoke-TenantMigrationRunbook'
)

$ErrorActionPreference = 'Stop'
$ConfirmPreference = 'None'
Connect-AzAccount -Identity | Out-Null

$jobs = foreach ($index in 1..$Partitions) {
    Start-AzAutomationRunbook -ResourceGroupName $ResourceGroupName -AutomationAccountName $AutomationAccountName `
        -Name $ChildRunbook -RunOn $HybridWorkerGroup `
        -Parameters @{ MigrationsPath = $MigrationsPath; Partition = "$index/$Partitions" }
}
Write-Output "Started $($jobs.Count) child jobs: $(($jobs.JobId) -join ', ')"

$finished = 'Completed', 'Failed', 'Stopped', 'Suspended'
do {
    Start-Sleep -Seconds 30
    $states = foreach ($job in $jobs) {
        Get-AzAutomationJob -ResourceGroupName $ResourceGroupName -AutomationAccountName $AutomationAccountName -Id $job.JobId
    }
} while ($states | Where-Object { $_.Status -notin $finished })

$states | Select-Object JobId, Status, StartTime, EndTime | Format-Table -AutoSize | Out-String | Write-Output
$failed = @($states | Where-Object Status -ne 'Completed')
if ($failed.Count -gt 0) { throw "$($failed.Count) of $($jobs.Count) partition job(s) did not complete." }
