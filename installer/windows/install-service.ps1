#Requires -RunAsAdministrator
<#
.SYNOPSIS
    Installs, upgrades or removes the Signage appliance as a Windows service on a mini-PC.

.DESCRIPTION
    Copies signage-appliance.exe and signage.exe (from publish.ps1's output for win-x64) to
    -InstallDir, keeps data in -DataDir, registers the "SignageAppliance" service (automatic start,
    restarted by the service manager after a failure), and opens the HTTP port and mDNS (UDP 5353)
    in Windows Firewall. An upgrade keeps the previous binary as signage-appliance.previous.exe and
    puts it back when the new one does not answer /healthz within 30 seconds.
    -Uninstall removes the service, the firewall rules and the binaries; the data stays unless
    -Purge is given too. Then provision once: signage provision --data-dir <DataDir> ...

.EXAMPLE
    .\install-service.ps1 -From ..\..\artifacts\publish
.EXAMPLE
    .\install-service.ps1 -From D:\signage -Port 80
.EXAMPLE
    .\install-service.ps1 -Uninstall -Purge
#>
[CmdletBinding()]
param(
    [string] $From = (Join-Path $PSScriptRoot "..\..\artifacts\publish"),
    [string] $InstallDir = (Join-Path $env:ProgramFiles "Signage"),
    [string] $DataDir = (Join-Path $env:ProgramData "SignageAppliance"),
    [ValidateRange(1, 65535)] [int] $Port = 5080,
    [switch] $Uninstall,
    [switch] $Purge
)

$ErrorActionPreference = "Stop"
$serviceName = "SignageAppliance"
$appliance = Join-Path $InstallDir "signage-appliance.exe"
$previous = Join-Path $InstallDir "signage-appliance.previous.exe"

function Remove-Appliance {
    if (Get-Service $serviceName -ErrorAction SilentlyContinue) {
        Stop-Service $serviceName -Force -ErrorAction SilentlyContinue
        & sc.exe delete $serviceName | Out-Null
    }
    Get-NetFirewallRule -DisplayName "Signage appliance*" -ErrorAction SilentlyContinue | Remove-NetFirewallRule
    if (Test-Path $InstallDir) { Remove-Item $InstallDir -Recurse -Force }
    if ($Purge -and (Test-Path $DataDir)) { Remove-Item $DataDir -Recurse -Force }
    Write-Host "Removed the Signage appliance$(if (-not $Purge) { "; its data is still in $DataDir" })."
}

function Test-Healthy([int] $TimeoutSeconds = 30) {
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    while ((Get-Date) -lt $deadline) {
        try {
            $response = Invoke-WebRequest -Uri "http://127.0.0.1:$Port/healthz" -UseBasicParsing -TimeoutSec 2
            if ($response.StatusCode -eq 200) { return $true }
        } catch { Start-Sleep -Milliseconds 500 }
    }
    return $false
}

if ($Uninstall) { Remove-Appliance; return }

function Find-Binary([string] $Name) {
    foreach ($candidate in @((Join-Path $From $Name), (Join-Path $From "appliance-win-x64\$Name"), (Join-Path $From "cli-win-x64\$Name"))) {
        if (Test-Path $candidate) { return $candidate }
    }
    throw "$Name not found under $From (run publish.ps1 first, or pass -From)."
}
$applianceSource = Find-Binary "signage-appliance.exe"
$cliSource = Find-Binary "signage.exe"

New-Item -ItemType Directory -Force -Path $InstallDir, $DataDir | Out-Null
# Data directory: SYSTEM and Administrators only (it holds keys and password hashes).
& icacls.exe $DataDir /inheritance:r /grant:r "SYSTEM:(OI)(CI)F" "Administrators:(OI)(CI)F" | Out-Null

$service = Get-Service $serviceName -ErrorAction SilentlyContinue
$upgrade = $false
if ($service) {
    Stop-Service $serviceName -Force
    if ((Test-Path $appliance) -and ((Get-FileHash $appliance).Hash -ne (Get-FileHash $applianceSource).Hash)) {
        Copy-Item $appliance $previous -Force
        $upgrade = $true
    }
}
Copy-Item $applianceSource $appliance -Force
Copy-Item $cliSource (Join-Path $InstallDir "signage.exe") -Force

if (-not $service) {
    New-Service -Name $serviceName -DisplayName "Signage appliance" -StartupType Automatic `
        -Description "Venue digital signage server (screens, schedules, proof of play)." `
        -BinaryPathName "`"$appliance`" --data-dir `"$DataDir`" --urls http://0.0.0.0:$Port" | Out-Null
    # Restart after 5 s on every failure; exit code 78 (unusable data directory) also lands in the event log.
    & sc.exe failure $serviceName reset= 86400 actions= restart/5000/restart/5000/restart/30000 | Out-Null
    New-NetFirewallRule -DisplayName "Signage appliance HTTP" -Direction Inbound -Protocol TCP -LocalPort $Port -Action Allow | Out-Null
    New-NetFirewallRule -DisplayName "Signage appliance mDNS" -Direction Inbound -Protocol UDP -LocalPort 5353 -Action Allow | Out-Null
}

$machinePath = [Environment]::GetEnvironmentVariable("Path", "Machine")
if ($machinePath -notlike "*$InstallDir*") { [Environment]::SetEnvironmentVariable("Path", "$machinePath;$InstallDir", "Machine") }

Start-Service $serviceName
if (Test-Healthy) {
    Write-Host "Installed the Signage appliance in $InstallDir; data in $DataDir; it answers http://127.0.0.1:$Port/healthz."
    return
}
if ($upgrade) {
    Write-Warning "The new appliance did not answer /healthz within 30 s; rolling back."
    Stop-Service $serviceName -Force
    Copy-Item $previous $appliance -Force
    Start-Service $serviceName
    if (Test-Healthy) { throw "Rolled back to the previous appliance, which is running again; the new release was not installed." }
}
throw "The appliance does not answer /healthz: see the Application event log and $DataDir\logs."
