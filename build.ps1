#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages the TenantMigrations PowerShell module.

.DESCRIPTION
    Every step has a plain dotnet equivalent, written in the comment above it, because some machines that build
    this repository have no PowerShell at all.

    -Task Build    (default) builds the module layout in out/TenantMigrations/, then
                   `Import-Module ./TenantMigrations.psd1` works from the repository root.
    -Task Test     builds, runs the xunit tests, then the Pester tests when Pester 5 is installed.
    -Task Package  builds in Release and copies the layout to out/package/TenantMigrations/, a folder ready for
                   Publish-Module -Path.

.EXAMPLE
    ./build.ps1

.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$layout = Join-Path $root 'out/TenantMigrations'

function Invoke-Dotnet {
    param([Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $Arguments)
    Write-Host "dotnet $Arguments" -ForegroundColor Cyan
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE." }
}

function Build-Module {
    # dotnet build src/TenantMigrations -c Debug
    # (the project's LayOutModule target copies the module into out/TenantMigrations/ and generates the MAML help
    #  from docs/help with src/TenantMigrations.HelpGenerator)
    Invoke-Dotnet build (Join-Path $root 'src/TenantMigrations/TenantMigrations.csproj') -c $Configuration
}

function Test-Module {
    # dotnet test tests/TenantMigrations.Module.Tests -c Debug
    Invoke-Dotnet test (Join-Path $root 'tests/TenantMigrations.Module.Tests/TenantMigrations.Module.Tests.csproj') -c $Configuration

    # No dotnet equivalent: Pester needs PowerShell. Run in a child pwsh so the module's assemblies do not stay
    # loaded in this session.
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -ge ([version]'5.0.0') | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Warning 'Pester 5 is not installed: skipping the Pester tests (Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser).'
        return
    }
    $testsFolder = Join-Path $root 'tests'
    $command = "Import-Module Pester -MinimumVersion 5.0; `$c = New-PesterConfiguration; `$c.Run.Path = '$testsFolder'; `$c.Run.Exit = `$true; `$c.Output.Verbosity = 'Detailed'; Invoke-Pester -Configuration `$c"
    & pwsh -NoProfile -NonInteractive -Command $command
    if ($LASTEXITCODE -ne 0) { throw "Pester failed with exit code $LASTEXITCODE." }
}

function New-ModulePackage {
    # dotnet build src/TenantMigrations -c Release
    # rm -rf out/package && mkdir -p out/package && cp -r out/TenantMigrations out/package/TenantMigrations
    # rm out/package/TenantMigrations/*.pdb out/package/TenantMigrations/Dependencies/*.pdb
    $package = Join-Path $root 'out/package'
    if (Test-Path $package) { Remove-Item $package -Recurse -Force }
    New-Item -ItemType Directory -Path $package | Out-Null
    Copy-Item -Path $layout -Destination $package -Recurse
    Get-ChildItem -Path (Join-Path $package 'TenantMigrations') -Filter *.pdb -Recurse | Remove-Item
    $manifest = Join-Path $package 'TenantMigrations/TenantMigrations.psd1'
    Test-ModuleManifest -Path $manifest | Out-Null
    Write-Host "Ready for: Publish-Module -Path '$(Split-Path $manifest)' -NuGetApiKey <key>" -ForegroundColor Green
}

switch ($Task) {
    'Build' { Build-Module }
    'Test' { Build-Module; Test-Module }
    'Package' {
        if ($Configuration -ne 'Release') { Write-Verbose 'Packaging builds in Release.'; $Configuration = 'Release' }
        Build-Module
        New-ModulePackage
    }
}
