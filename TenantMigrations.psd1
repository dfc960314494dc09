# The TenantMigrations module manifest. `dotnet build src/TenantMigrations` lays the module out in out/TenantMigrations/,
# so `Import-Module ./TenantMigrations.psd1` works from the repo root. The build writes a copy of this file into
# out/TenantMigrations/ with the 'out/TenantMigrations/' prefixes removed: that folder is the publishable module.
# ModuleVersion must equal <Version> in Directory.Build.props (a test checks it).
@{
    RootModule           = 'out/TenantMigrations/TenantMigrations.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '77d2582f-6f60-4cf2-8ac1-e524c19dae95'
    Author               = 'TenantMigrations contributors'
    CompanyName          = 'TenantMigrations contributors'
    Copyright            = '(c) TenantMigrations contributors.'
    Description          = 'Migrates fleets of tenant databases (a SQLite file, a PostgreSQL schema or database, or a MySQL/MariaDB database per tenant) with versioned SQL scripts: status, parallel migration with -WhatIf, SQL export, validation and repair.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('out/TenantMigrations/TenantMigrations.Format.ps1xml')
    TypesToProcess       = @('out/TenantMigrations/TenantMigrations.Types.ps1xml')
    CmdletsToExport      = @(
        'Copy-TenantMigrationHistory'
        'Export-TenantMigrationHistory'
        'Export-TenantMigrationSql'
        'Get-Tenant'
        'Get-TenantMigrationHistory'
        'Get-TenantMigrationRun'
        'Get-TenantMigrationStatus'
        'Invoke-TenantMigration'
        'New-TenantMigration'
        'New-Tenant'
        'New-TenantObject'
        'Repair-TenantMigration'
        'Set-TenantMigrationBaseline'
        'Test-TenantMigration'
        'Test-TenantSchema'
        'Undo-TenantMigration'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('database', 'migration', 'multi-tenant', 'sqlite', 'postgresql', 'mysql', 'mariadb', 'schema', 'devops', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/tenantmigrations/tenantmigrations'
            LicenseUri   = 'https://github.com/tenantmigrations/tenantmigrations/blob/main/LICENSE'
            ReleaseNotes = 'First release: Get-Tenant, New-TenantObject, Get-TenantMigrationStatus, Invoke-TenantMigration, New-TenantMigration, Export-TenantMigrationSql, Test-TenantMigration and Repair-TenantMigration.'
        }
    }
}
