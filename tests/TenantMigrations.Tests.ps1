#Requires -Version 7.4
# Pester 5 tests of the built module. Build first (dotnet build src/TenantMigrations, or ./build.ps1), then run
# ./build.ps1 -Task Test, or: Invoke-Pester ./tests
# Every fleet lives in $TestDrive; the SQLite files are created by the module itself.
# Pester 5 runs this file twice: Discovery (only Describe/Context/It and -ForEach/-Skip arguments are evaluated) and
# Run, so every piece of setup lives in BeforeAll. Should -Throw -ErrorId compares the whole FullyQualifiedErrorId
# ('MigrationFailed,TenantMigrations.Commands.InvokeTenantMigrationCommand') with -like: use 'MigrationFailed,*'.

BeforeAll {
    # Run records of these tests stay in the test drive, not in the user's state folder.
    $script:PreviousRunStore = $env:TENANTMIGRATIONS_RUN_STORE
    $env:TENANTMIGRATIONS_RUN_STORE = Join-Path $TestDrive 'runs'
    $RepoRoot = Split-Path -Parent $PSScriptRoot
    $Manifest = Join-Path $RepoRoot 'TenantMigrations.psd1'
    Import-Module $Manifest -Force -ErrorAction Stop

    # A migrations folder and a tenants.json of SQLite tenants under data/. A tenant's 'extra' property names a table
    # suffix for V2's last query: '_missing' makes that tenant's V2 fail with a SQL error. It is a plain value, since a
    # bare placeholder takes plain values only (a value holding ';' or quotes would make the tenant Invalid instead).
    function New-TestFleet {
        param(
            [Parameter(Mandatory)] [string[]] $Name,
            [hashtable] $Extra = @{},
            [string] $FirstMigration = 'CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);'
        )
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $migrations = Join-Path $folder 'migrations'
        New-Item -ItemType Directory -Path $migrations -Force | Out-Null
        Set-Content -Path (Join-Path $migrations 'V1__create_customers.sql') -Value $FirstMigration
        Set-Content -Path (Join-Path $migrations 'V2__create_orders.sql') -Value 'CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL); SELECT count(*) FROM orders${extra};'
        $tenants = foreach ($tenantName in $Name) {
            $extraSql = ''
            if ($Extra.ContainsKey($tenantName)) { $extraSql = $Extra[$tenantName] }
            [ordered]@{
                name             = $tenantName
                engine           = 'sqlite'
                connectionString = "Data Source=data/$tenantName.db"
                tags             = 'eu'
                extra            = $extraSql
            }
        }
        $tenantsFile = Join-Path $folder 'tenants.json'
        ConvertTo-Json -InputObject @($tenants) | Set-Content -Path $tenantsFile
        [pscustomobject]@{
            Folder      = $folder
            Migrations  = $migrations
            TenantsFile = $tenantsFile
            Data        = (Join-Path $folder 'data')
        }
    }
}

AfterAll {
    Remove-Module TenantMigrations -ErrorAction SilentlyContinue
    $env:TENANTMIGRATIONS_RUN_STORE = $script:PreviousRunStore
}

Describe 'The module' {
    It 'exports the cmdlets of the manifest' {
        $exported = (Get-Module TenantMigrations).ExportedCmdlets.Keys | Sort-Object
        $exported | Should -Be @('Copy-TenantMigrationHistory', 'Export-TenantMigrationHistory', 'Export-TenantMigrationSql', 'Get-Tenant', 'Get-TenantMigrationHistory', 'Get-TenantMigrationRun', 'Get-TenantMigrationStatus', 'Invoke-TenantMigration', 'New-Tenant', 'New-TenantMigration', 'New-TenantObject', 'Repair-TenantMigration', 'Set-TenantMigrationBaseline', 'Test-TenantMigration', 'Test-TenantSchema', 'Undo-TenantMigration')
    }

    It 'has the version of Directory.Build.props' {
        $props = [xml](Get-Content -Raw -Path (Join-Path $RepoRoot 'Directory.Build.props'))
        (Get-Module TenantMigrations).Version | Should -Be ([version]$props.Project.PropertyGroup.Version)
    }

    It 'can be imported again in another runspace of the same process' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({ param($Path) Import-Module $Path -Force; (Get-Command -Module TenantMigrations).Count }).AddArgument($Manifest)
            $ps.Invoke() | Should -Be 8
            $ps.HadErrors | Should -BeFalse
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Invoke-TenantMigration on a SQLite fleet' {
    It 'migrates every tenant through the pipeline and returns one result per tenant' {
        $fleet = New-TestFleet -Name 'acme', 'globex', 'initech'

        $results = Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations

        $results | Should -HaveCount 3
        foreach ($result in $results) {
            $result | Should -BeOfType ([TenantMigrations.TenantMigrationResult])
            $result.Succeeded | Should -BeTrue
            $result.VersionAfter | Should -Be '2'
            $result.Applied | Should -HaveCount 2
        }
        $results.TenantName | Sort-Object | Should -Be @('acme', 'globex', 'initech')
        $status = Get-Tenant -Path $fleet.TenantsFile | Get-TenantMigrationStatus -Path $fleet.Migrations
        $status.State | Sort-Object -Unique | Should -Be 'UpToDate'
    }

    It 'changes nothing with -WhatIf and returns each pending tenant as planned' {
        $fleet = New-TestFleet -Name 'acme', 'globex'

        $results = Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations -WhatIf

        $results | Should -HaveCount 2
        foreach ($result in $results) {
            $result.DryRun | Should -BeTrue
            $result.Planned.Version | Should -Be @('1', '2')
            $result.Applied | Should -BeNullOrEmpty
            $result.StateAfter | Should -Be 'Pending'
            $result.PlannedVersions | Should -Be '1,2'
        }
        Join-Path $fleet.Data 'acme.db' | Should -Not -Exist
        Join-Path $fleet.Data 'globex.db' | Should -Not -Exist
    }

    It 'leaves a migrated tenant at its version with -WhatIf' {
        $fleet = New-TestFleet -Name 'acme'
        Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations -TargetVersion 1 | Out-Null

        Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations -WhatIf | Out-Null

        (Get-Tenant -Path $fleet.TenantsFile | Get-TenantMigrationStatus -Path $fleet.Migrations).CurrentVersion | Should -Be '1'
    }

    It 'reports a failing tenant as a non-terminating error and migrates the others' {
        $fleet = New-TestFleet -Name 'acme', 'bad', 'globex' -Extra @{ bad = '_missing' }

        $results = Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations -ErrorVariable failures -ErrorAction SilentlyContinue

        $results | Should -HaveCount 3
        ($results | Where-Object Succeeded).TenantName | Sort-Object | Should -Be @('acme', 'globex')
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'MigrationFailed,*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $failures[0].TargetObject | Should -BeOfType ([TenantMigrations.TenantMigrationResult])
        $failures[0].TargetObject.TenantName | Should -Be 'bad'
        $failures[0].Exception.ErrorId | Should -Be 'MigrationFailed'
    }

    It 'stops at a failing tenant with -ErrorAction Stop' {
        $fleet = New-TestFleet -Name 'bad' -Extra @{ bad = '_missing' }

        { Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations -ErrorAction Stop } | Should -Throw -ErrorId 'MigrationFailed,*'
    }

    It 'reports a SQLite file that is not a database as that tenant''s error and migrates the others' {
        $fleet = New-TestFleet -Name 'acme', 'broken', 'globex'
        New-Item -ItemType Directory -Path $fleet.Data -Force | Out-Null
        Set-Content -Path (Join-Path $fleet.Data 'broken.db') -Value 'This is a text file, not a SQLite database.'

        $results = Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations -ErrorVariable failures -ErrorAction SilentlyContinue

        ($results | Where-Object Succeeded).TenantName | Sort-Object | Should -Be @('acme', 'globex')
        $failures | Should -HaveCount 1
        $failures[0].TargetObject.TenantName | Should -Be 'broken'
        $failures[0].Exception.Message | Should -BeLike "*'broken'*"
    }

    It 'reports a piped row that is not a tenant as an InvalidTenant error and migrates the others' {
        $fleet = New-TestFleet -Name 'acme'
        $rows = @(
            [pscustomobject]@{ Name = 'acme'; Engine = 'sqlite'; ConnectionString = "Data Source=$(Join-Path $fleet.Data 'acme.db')"; extra = '' }
            [pscustomobject]@{ Name = 'half'; Engine = 'sqlite' }
        )

        $results = $rows | Invoke-TenantMigration -Create -Path $fleet.Migrations -ErrorVariable failures -ErrorAction SilentlyContinue

        $results.TenantName | Should -Be 'acme'
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidTenant,*'
        $failures[0].TargetObject.Name | Should -Be 'half'
    }

    It 'binds Import-Csv rows by property name' {
        $fleet = New-TestFleet -Name 'unused'
        $csv = Join-Path $fleet.Folder 'tenants.csv'
        @(
            [pscustomobject]@{ Name = 'acme'; Engine = 'sqlite'; ConnectionString = "Data Source=$(Join-Path $fleet.Data 'acme.db')"; Schema = ''; Tags = 'eu'; extra = '' }
            [pscustomobject]@{ Name = 'globex'; Engine = 'sqlite'; ConnectionString = "Data Source=$(Join-Path $fleet.Data 'globex.db')"; Schema = ''; Tags = 'us'; extra = '' }
        ) | Export-Csv -Path $csv -NoTypeInformation

        $results = Import-Csv -Path $csv | Invoke-TenantMigration -Create -Path $fleet.Migrations

        $results.TenantName | Sort-Object | Should -Be @('acme', 'globex')
        $results.Succeeded | Sort-Object -Unique | Should -BeTrue
        Join-Path $fleet.Data 'acme.db' | Should -Exist
    }

    It 'resolves relative SQLite paths of piped rows against the current location' {
        $fleet = New-TestFleet -Name 'unused'
        $rows = @([pscustomobject]@{ Name = 'acme'; Engine = 'sqlite'; ConnectionString = 'Data Source=data/acme.db'; extra = '' })
        Push-Location -Path $fleet.Folder
        try {
            $results = $rows | Invoke-TenantMigration -Create -Path migrations
        }
        finally {
            Pop-Location
        }
        $results.Succeeded | Should -BeTrue
        Join-Path $fleet.Data 'acme.db' | Should -Exist
    }

    It 'takes status objects from Get-TenantMigrationStatus' {
        $fleet = New-TestFleet -Name 'acme', 'globex'

        $results = Get-Tenant -Path $fleet.TenantsFile | Get-TenantMigrationStatus -Path $fleet.Migrations |
            Where-Object State -eq 'Pending' | Invoke-TenantMigration -Create -Path $fleet.Migrations

        $results | Should -HaveCount 2
    }

    It 'throws a terminating error for an invalid migrations folder and touches no tenant' {
        $fleet = New-TestFleet -Name 'acme'
        Set-Content -Path (Join-Path $fleet.Migrations 'Vbad__oops.sql') -Value 'SELECT 1;'

        { Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations } | Should -Throw -ErrorId 'InvalidMigrationFolder,*'
        Join-Path $fleet.Data 'acme.db' | Should -Not -Exist
    }

    It 'uses tenants.json and ./migrations of the current folder by default' {
        $fleet = New-TestFleet -Name 'acme'
        Push-Location -Path $fleet.Folder
        try {
            $results = Invoke-TenantMigration -Create
        }
        finally {
            Pop-Location
        }
        $results.TenantName | Should -Be 'acme'
        $results.Succeeded | Should -BeTrue
    }

    It 'stops cleanly when the pipeline is stopped' {
        $slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) FROM c;'
        $names = 1..20 | ForEach-Object { 't{0:00}' -f $_ }
        $fleet = New-TestFleet -Name $names -FirstMigration $slow
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Path, $TenantsFile, $Migrations)
                    Import-Module $Path
                    Get-Tenant -Path $TenantsFile | Invoke-TenantMigration -Create -Path $Migrations -ThrottleLimit 1
                }).AddArgument($Manifest).AddArgument($fleet.TenantsFile).AddArgument($fleet.Migrations)
            $running = $ps.BeginInvoke()
            $deadline = (Get-Date).AddSeconds(60)
            while (-not (Test-Path (Join-Path $fleet.Data 't02.db')) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 50 }

            $ps.Stop()

            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $running.IsCompleted | Should -BeTrue
            @($names | Where-Object { -not (Test-Path (Join-Path $fleet.Data "$_.db")) }).Count | Should -BeGreaterThan 0
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Test-TenantSchema on a SQLite fleet' {
    It 'reports a hand-added index per tenant and groups the tenants by their differences' {
        $fleet = New-TestFleet -Name 'acme', 'globex', 'initech'
        Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations | Out-Null
        foreach ($tenantName in 'globex', 'initech') {
            & sqlite3 (Join-Path $fleet.Data "$tenantName.db") 'CREATE INDEX ix_tmp ON orders (customer_id);'
        }

        $checks = Get-Tenant -Path $fleet.TenantsFile | Test-TenantSchema -Path $fleet.Migrations -ReferenceTenant acme
        $classes = Get-Tenant -Path $fleet.TenantsFile | Test-TenantSchema -Path $fleet.Migrations -ReferenceTenant acme -Summary -SuggestionPath (Join-Path $fleet.Folder 'drift')

        $checks.TenantName | Should -Be @('acme', 'globex', 'initech')
        ($checks | Where-Object Status -eq 'Drifted').TenantName | Should -Be @('globex', 'initech')
        $checks[1].Differences[0].Name | Should -Be 'orders.ix_tmp'
        ($checks | Group-Object DriftClass | Where-Object Name -eq 'extra index ix_tmp on orders').Count | Should -Be 2
        $classes[0].Description | Should -Be 'extra index ix_tmp on orders'
        $classes[0].Tenants | Should -Be @('globex', 'initech')
        Get-Content -Path $classes[0].SuggestionPath -TotalCount 1 | Should -Be '-- SUGGESTION, review before running.'
    }

    It 'stops with ReferenceTenantNotFound when the reference tenant is not in the pipeline' {
        $fleet = New-TestFleet -Name 'acme'
        { Get-Tenant -Path $fleet.TenantsFile | Test-TenantSchema -Path $fleet.Migrations -ReferenceTenant umbrella } | Should -Throw -ErrorId 'ReferenceTenantNotFound,*'
    }
}

Describe 'The other cmdlets' {
    It 'reports states that group well' {
        $fleet = New-TestFleet -Name 'acme', 'globex'
        Get-Tenant -Path $fleet.TenantsFile -Name acme | Invoke-TenantMigration -Create -Path $fleet.Migrations | Out-Null

        $groups = Get-Tenant -Path $fleet.TenantsFile | Get-TenantMigrationStatus -Path $fleet.Migrations | Group-Object -Property State -AsHashTable -AsString

        $groups['UpToDate'].TenantName | Should -Be 'acme'
        $groups['Pending'].TenantName | Should -Be 'globex'
        $groups['Pending'].PendingCount | Should -Be 2
    }

    It 'filters tenants by name and tag' {
        $fleet = New-TestFleet -Name 'acme', 'acme-two', 'globex'

        (Get-Tenant -Path $fleet.TenantsFile -Name 'acme*').Name | Should -Be @('acme', 'acme-two')
        (Get-Tenant -Path $fleet.TenantsFile -Tag 'us') | Should -BeNullOrEmpty
    }

    It 'resolves -SqlitePath with PowerShell wildcards and warns when nothing matches' {
        $fleet = New-TestFleet -Name 't01', 't02', 't07'
        Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations | Out-Null
        Push-Location -Path $fleet.Folder
        try {
            (Get-Tenant -SqlitePath 'data/t0[1-6].db').Name | Should -Be @('t01', 't02')
            Get-Tenant -SqlitePath 'data/none*.db' -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
            $warnings | Should -HaveCount 1
            Get-Tenant -SqlitePath 'data/missing.db' -ErrorVariable notFound -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $notFound[0].FullyQualifiedErrorId | Should -BeLike 'SqlitePathNotFound,*'
        }
        finally {
            Pop-Location
        }
    }

    It 'returns status in input order, with string states and joined versions for reports' {
        $fleet = New-TestFleet -Name 'm', 'c', 'x', 'a', 'q', 'b'

        $status = Get-Tenant -Path $fleet.TenantsFile | Get-TenantMigrationStatus -Path $fleet.Migrations

        $status.TenantName | Should -Be @('m', 'c', 'x', 'a', 'q', 'b')
        $json = $status[0] | ConvertTo-Json -Depth 1 | ConvertFrom-Json
        $json.StateName | Should -Be 'Pending'
        $json.EngineName | Should -Be 'Sqlite'
        $status | Export-Csv -Path (Join-Path $fleet.Folder 'status.csv')
        $rows = Import-Csv -Path (Join-Path $fleet.Folder 'status.csv')
        $rows[0].PendingVersions | Should -Be '1,2'
        $rows[0].StateName | Should -Be 'Pending'
    }

    It 'reports a tenant name without wildcards that matches nothing' {
        $fleet = New-TestFleet -Name 'acme'

        Get-Tenant -Path $fleet.TenantsFile -Name 'nobody' -ErrorVariable notFound -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $notFound | Should -HaveCount 1
        $notFound[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'never displays the password of a credential' {
        $credential = [pscredential]::new('migrator', (ConvertTo-SecureString -String 'Sup3rSecret!' -AsPlainText -Force))

        $tenant = New-TenantObject -Name pg1 -Engine Postgres -ConnectionString 'Host=db;Database=app' -Schema t1 -Credential $credential

        $tenant.ConnectionString | Should -Match 'migrator'
        ($tenant | Format-List -Property * | Out-String) | Should -Not -Match 'Sup3rSecret'
        ($tenant | Format-Table | Out-String) | Should -Not -Match 'Sup3rSecret'
        ($tenant | ConvertTo-Json) | Should -Not -Match 'Sup3rSecret'
    }

    It 'exports one script per tenant' {
        $fleet = New-TestFleet -Name 'acme', 'globex'
        $review = Join-Path $fleet.Folder 'review'

        $scripts = Get-Tenant -Path $fleet.TenantsFile | Export-TenantMigrationSql -Path $fleet.Migrations -OutputPath $review

        $scripts | Should -HaveCount 2
        Get-Content -Raw -Path (Join-Path $review 'acme.sql') | Should -Match 'CREATE TABLE orders'
        Join-Path $fleet.Data 'acme.db' | Should -Not -Exist
    }

    It 'scaffolds migrations that the folder accepts once they hold SQL' {
        $fleet = New-TestFleet -Name 'acme'

        $files = New-TenantMigration -Name 'add invoices' -Path $fleet.Migrations -WithUndo

        $files | Should -HaveCount 2
        foreach ($file in $files) {
            $file | Should -BeOfType ([System.IO.FileInfo])
            $file.Name | Should -Match '^[VU]\d{14}__add_invoices\.sql$'
            $file.PSPath | Should -Not -BeNullOrEmpty
        }
        $again = New-TenantMigration -Name 'Größe' -Path $fleet.Migrations
        $again.Name | Should -Match '^V\d{14}__groesse\.sql$'
        $again.Name.Substring(0, 15) | Should -Not -Be $files[0].Name.Substring(0, 15)
        { Get-Tenant -Path $fleet.TenantsFile | Test-TenantMigration -Path $fleet.Migrations } | Should -Throw -ErrorId 'InvalidMigrationFolder,*'
        foreach ($file in @($files) + @($again)) { Add-Content -Path $file.FullName -Value 'SELECT 1;' }
        Get-Tenant -Path $fleet.TenantsFile | Test-TenantMigration -Path $fleet.Migrations -Quiet | Should -BeTrue
    }

    It 'tests and repairs a drifted tenant without prompting when told so' {
        $fleet = New-TestFleet -Name 'acme'
        Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations | Out-Null
        Add-Content -Path (Join-Path $fleet.Migrations 'V1__create_customers.sql') -Value '-- reviewed'
        (Get-Tenant -Path $fleet.TenantsFile | Test-TenantMigration -Path $fleet.Migrations).Passed | Should -BeFalse

        $repair = Get-Tenant -Path $fleet.TenantsFile | Repair-TenantMigration -Path $fleet.Migrations -Confirm:$false

        $repair.RealignedChecksums | Should -Be '1'
        (Get-Tenant -Path $fleet.TenantsFile | Get-TenantMigrationStatus -Path $fleet.Migrations).State | Should -Be 'UpToDate'
    }

    It 'completes -TargetVersion with the versions of the folder' {
        $fleet = New-TestFleet -Name 'acme'
        $line = "Invoke-TenantMigration -Path '$($fleet.Migrations)' -TargetVersion "

        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length

        $completion.CompletionMatches.CompletionText | Should -Be @('1', '2')
    }

    It 'completes -TargetVersion for a -Path relative to the current location' {
        $fleet = New-TestFleet -Name 'acme'
        $line = 'Invoke-TenantMigration -Path migrations -TargetVersion '
        Push-Location -Path $fleet.Folder
        try {
            $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        }
        finally {
            Pop-Location
        }
        $completion.CompletionMatches.CompletionText | Should -Be @('1', '2')
    }

    It 'completes -Name with the tenants of the file' {
        $fleet = New-TestFleet -Name 'acme', 'globex'
        $line = "Get-Tenant -Path '$($fleet.TenantsFile)' -Name g"

        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length

        $completion.CompletionMatches.CompletionText | Should -Be 'globex'
    }
}

Describe 'Run records' {
    It 'records a run that Get-TenantMigrationRun shows, and -Resume runs only the tenants left' {
        $fleet = New-TestFleet -Name 'acme', 'bad' -Extra @{ bad = '_missing' }
        $store = Join-Path $fleet.Folder 'runs'

        $results = Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations -RunStore $store -ErrorAction SilentlyContinue
        $runId = $results[0].RunId
        $run = Get-TenantMigrationRun -RunId $runId -RunStore $store

        $run | Should -BeOfType ([TenantMigrations.TenantMigrationRun])
        $run.Done | Should -Be 1
        $run.Failed | Should -Be 1
        $run.Failures[0].TenantName | Should -Be 'bad'
        $run.Failures[0].ErrorId | Should -Be 'MigrationFailed'
        @(Get-TenantMigrationRun -RunStore $store).RunId | Should -Be @($runId)

        (Get-Content -Path $fleet.TenantsFile -Raw).Replace('_missing', '') | Set-Content -Path $fleet.TenantsFile
        $resumed = Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations -RunStore $store -Resume $runId

        $resumed | Should -HaveCount 1
        $resumed.TenantName | Should -Be 'bad'
        $resumed.RunId | Should -Be $runId
        (Get-TenantMigrationRun -RunId $runId -RunStore $store).Complete | Should -BeTrue
    }

    It 'refuses to resume an unknown run' {
        $fleet = New-TestFleet -Name 'acme'

        { Get-Tenant -Path $fleet.TenantsFile | Invoke-TenantMigration -Create -Path $fleet.Migrations -Resume 'nosuchrun' } | Should -Throw -ErrorId 'RunNotFound,*'
        { Get-TenantMigrationRun -RunId 'nosuchrun' } | Should -Throw -ErrorId 'RunNotFound,*'
    }
}

Describe 'Tenant secrets' {
    BeforeAll {
        # Port 1 on the loopback refuses connections: a tenant that got its password fails to connect, not to resolve.
        function New-SecretTenant([string] $Name, [string] $Secret, [string] $Vault) {
            $tenant = @{ Name = $Name; Engine = 'Postgres'; ConnectionString = "Host=127.0.0.1;Port=1;Username=$Name;Database=$Name;Timeout=1"; secretName = $Secret }
            if ($Vault) { $tenant.secretVault = $Vault }
            $tenant
        }
    }

    It 'resolves secretName through the Get-Secret the caller sees, on the pipeline thread, and never shows a value' {
        $fleet = New-TestFleet -Name 'unused'
        $script:secretCalls = [System.Collections.Generic.List[string]]::new()
        # A compiled module cannot be mocked in its own scope: this function stands in for SecretManagement's cmdlet,
        # found by command lookup in the caller's session state.
        function Get-Secret {
            param([string] $Name, [string] $Vault, [switch] $AsPlainText)
            $script:secretCalls.Add("$Name|$Vault|$AsPlainText|$([System.Threading.Thread]::CurrentThread.ManagedThreadId)")
            if ($Name -eq 'acme-db') { return 'Vault-Value-7781' }
            throw "There is no secret named $Name."
        }
        $pipelineThread = [System.Threading.Thread]::CurrentThread.ManagedThreadId

        $results = (New-SecretTenant 'acme' 'acme-db' 'prod'), (New-SecretTenant 'globex' 'globex-db') |
            Invoke-TenantMigration -Path $fleet.Migrations -ErrorVariable failures -ErrorAction SilentlyContinue

        $script:secretCalls | Should -Be @("acme-db|prod|True|$pipelineThread", "globex-db||True|$pipelineThread")
        $acme = $results | Where-Object TenantName -EQ 'acme'
        $globex = $results | Where-Object TenantName -EQ 'globex'
        $acme.StateAfter | Should -Be 'Unreachable'
        $acme.Error.ErrorId | Should -Be 'TenantUnreachable'
        $globex.StateAfter | Should -Be 'Unreachable'
        $globex.Error.ErrorId | Should -Be 'TenantSecretUnavailable'
        $globex.Error.Message | Should -BeLike "*secret 'globex-db' could not be read*"
        ($failures | Where-Object { $_.FullyQualifiedErrorId -like 'TenantSecretUnavailable,*' }) | Should -HaveCount 1
        (($results | Format-List * | Out-String) + ($failures | Out-String)) | Should -Not -Match 'Vault-Value-7781'
    }

    It 'makes a tenant that names a secret Unreachable, naming the secret, when Get-Secret is not installed' -Skip:([bool](Get-Command Get-Secret -ErrorAction Ignore)) {
        $fleet = New-TestFleet -Name 'unused'

        $result = New-SecretTenant 'acme' 'acme-db' 'prod' | Invoke-TenantMigration -Path $fleet.Migrations -ErrorAction SilentlyContinue

        $result.StateAfter | Should -Be 'Unreachable'
        $result.Error.ErrorId | Should -Be 'TenantSecretUnavailable'
        $result.Error.Message | Should -BeLike "*secret 'acme-db' in vault 'prod' cannot be resolved: Get-Secret is not available*"
    }
}

Describe 'Help' {
    It '<Name> has a synopsis, a description, every parameter described and at least two examples' -ForEach @(
        @{ Name = 'Get-Tenant' }
        @{ Name = 'New-TenantObject' }
        @{ Name = 'Get-TenantMigrationStatus' }
        @{ Name = 'Invoke-TenantMigration' }
        @{ Name = 'New-TenantMigration' }
        @{ Name = 'Export-TenantMigrationSql' }
        @{ Name = 'Test-TenantMigration' }
        @{ Name = 'Repair-TenantMigration' }
        @{ Name = 'Get-TenantMigrationRun' }
        @{ Name = 'Get-TenantMigrationHistory' }
    ) {
        $help = Get-Help -Name $Name -Full

        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without MAML, Get-Help makes the synopsis up from the syntax.
        $help.Synopsis | Should -Not -BeLike "$Name *"
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        (Get-Command -Name $Name).HelpUri | Should -BeLike "https://*/$Name.md"
        $common = @([System.Management.Automation.PSCmdlet]::CommonParameters) + @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters)
        foreach ($parameter in (Get-Command -Name $Name).Parameters.Keys | Where-Object { $_ -notin $common }) {
            ($help.parameters.parameter | Where-Object Name -eq $parameter).description.Text -join ' ' | Should -Not -BeNullOrEmpty -Because "-$parameter must be described"
        }
    }
}

Describe 'Help defaults' {
    It 'shows the default of -<Parameter> of <Name>' -ForEach @(
        @{ Name = 'Invoke-TenantMigration'; Parameter = 'ThrottleLimit'; Default = '4' }
        @{ Name = 'Invoke-TenantMigration'; Parameter = 'LockTimeoutSec'; Default = '10' }
        @{ Name = 'Invoke-TenantMigration'; Parameter = 'DdlLockTimeoutSec'; Default = '5' }
        @{ Name = 'Get-TenantMigrationStatus'; Parameter = 'ThrottleLimit'; Default = '4' }
    ) {
        (Get-Help -Name $Name -Parameter $Parameter).defaultValue | Should -Be $Default
    }
}

Describe 'A user test that mocks the cmdlets' {
    BeforeAll {
        # What a user's ops script might look like.
        function Get-FailedTenant {
            param([Parameter(Mandatory)] [string] $TenantsFile)
            Get-Tenant -Path $TenantsFile | Invoke-TenantMigration -Confirm:$false | Where-Object { -not $_.Succeeded }
        }
    }

    It 'gets what the mocked Invoke-TenantMigration returns, built from the public output types' {
        $fleet = New-TestFleet -Name 'acme'
        Mock Invoke-TenantMigration {
            $result = [TenantMigrations.TenantMigrationResult]::new()
            $result.Tenant = [TenantMigrations.Tenant]@{ Name = 'acme'; Engine = 'Sqlite' }
            $result.StateBefore = 'Pending'
            $result.StateAfter = 'Failed'
            $result.Error = [TenantMigrations.MigrationError]@{ ErrorId = 'MigrationFailed'; Message = 'mocked failure' }
            $result
        }

        $failed = Get-FailedTenant -TenantsFile $fleet.TenantsFile

        $failed.TenantName | Should -Be 'acme'
        $failed.Error.ErrorId | Should -Be 'MigrationFailed'
        Should -Invoke Invoke-TenantMigration -Times 1
        Join-Path $fleet.Data 'acme.db' | Should -Not -Exist
    }
}

Describe 'The README quick start on the samples' -Skip:(-not (Test-Path (Join-Path $PSScriptRoot '../samples/tenants.json'))) {
    It 'migrates the sample fleet' {
        $copy = Join-Path $TestDrive 'samples'
        Copy-Item -Path (Join-Path $RepoRoot 'samples') -Destination $copy -Recurse
        Remove-Item -Path (Join-Path $copy 'data') -Recurse -Force -ErrorAction SilentlyContinue

        $tenants = Get-Tenant -Path (Join-Path $copy 'tenants.json')
        $results = $tenants | Invoke-TenantMigration -Create -Path (Join-Path $copy 'migrations') -ErrorAction SilentlyContinue

        $results | Should -HaveCount @($tenants).Count
    }
}
