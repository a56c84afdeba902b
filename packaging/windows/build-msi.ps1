<#
.SYNOPSIS
    Builds target\msi\Wharf-<version>-x64.msi on Windows.

.DESCRIPTION
    UNTESTED: written on the project's Linux machines, where neither the Windows target nor
    this script can run. What is checked there is packaging/windows/check.sh (wixl builds
    wharf.wxs from placeholder files and the MSI tables are inspected).

    Steps:
      1. version = [package] version of Cargo.toml (cargo metadata); MSI takes only a.b.c
      2. cargo build --release --locked --target x86_64-pc-windows-msvc
      3. stage wharf.exe, wharf.ico and a generated LICENSE.txt in target\msi\stage
      4. WiX Toolset v3 (candle + light) if found, else msitools' wixl, with
         -d/-D Version=<a.b.c> and SourceDir=<stage>

    Needs: Rust (MSVC toolchain + Visual Studio Build Tools), and WiX Toolset 3.x
    (candle.exe/light.exe on PATH or under $env:WIX\bin) or wixl (e.g. MSYS2's msitools).
    WiX 4 and later use a different schema: convert with `wix convert wharf.wxs` first.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File packaging\windows\build-msi.ps1
.EXAMPLE
    .\packaging\windows\build-msi.ps1 -NoBuild -Tool wixl
#>
[CmdletBinding()]
param(
    # Rust target triple to build and package (the installer is x64-only).
    [string] $Target = 'x86_64-pc-windows-msvc',
    # Package an existing target\<Target>\release\wharf.exe instead of building.
    [switch] $NoBuild,
    # Allow a pre-release version (0.2.0-beta.1 would be packaged as MSI version 0.2.0,
    # which the final 0.2.0 then cannot upgrade: it installs beside it).
    [switch] $AllowPrerelease,
    [ValidateSet('auto', 'wix3', 'wixl')]
    [string] $Tool = 'auto'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Invoke-Checked {
    param([string] $Exe, [string[]] $Arguments)
    Write-Host "==> $Exe $($Arguments -join ' ')"
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe failed with exit code $LASTEXITCODE" }
}

$Here = $PSScriptRoot
$Root = (Resolve-Path (Join-Path $Here '..\..')).Path
$Manifest = Join-Path $Root 'Cargo.toml'
$Wxs = Join-Path $Here 'wharf.wxs'
$OutDir = Join-Path $Root 'target\msi'
$Stage = Join-Path $OutDir 'stage'

# 1. The version lives only in Cargo.toml.
$MetadataJson = & cargo metadata --no-deps --format-version 1 --manifest-path $Manifest
if ($LASTEXITCODE -ne 0) { throw 'cargo metadata failed' }
$Package = ($MetadataJson | ConvertFrom-Json).packages | Where-Object { $_.name -eq 'wharf' }
if (-not $Package) { throw "no package 'wharf' in $Manifest" }
$Version = $Package.version
$MsiVersion = ($Version -split '[-+]')[0]
if ($MsiVersion -notmatch '^\d+\.\d+\.\d+$') { throw "version $Version does not reduce to a.b.c" }
if ($MsiVersion -ne $Version -and -not $AllowPrerelease) {
    throw "version $Version is a pre-release; MSI would call it $MsiVersion. Pass -AllowPrerelease to build it anyway."
}
Write-Host "Wharf $Version (MSI ProductVersion $MsiVersion)"

# 2. Build.
if (-not $NoBuild) {
    Invoke-Checked 'cargo' @('build', '--release', '--locked', '--target', $Target, '--manifest-path', $Manifest)
}
$Exe = Join-Path $Root "target\$Target\release\wharf.exe"
if (-not (Test-Path $Exe)) { throw "missing $Exe" }

# 3. Stage the three files the .wxs names.
if (Test-Path $Stage) { Remove-Item -Recurse -Force $Stage }
New-Item -ItemType Directory -Force -Path $Stage | Out-Null
Copy-Item $Exe (Join-Path $Stage 'wharf.exe')
Copy-Item (Join-Path $Root 'assets\icons\wharf.ico') (Join-Path $Stage 'wharf.ico')

# LICENSE.txt: the licence expression from Cargo.toml, and the licence texts when the
# repository has them (LICENSE-MIT, LICENSE-APACHE, the usual Rust names).
$License = @(
    "Wharf $Version",
    '',
    "Licence: $($Package.license)",
    'Wharf may be used under the terms of either the MIT licence or the Apache License,',
    'Version 2.0, at your option.',
    ''
)
$Texts = @('LICENSE-MIT', 'LICENSE-APACHE') | ForEach-Object { Join-Path $Root $_ } | Where-Object { Test-Path $_ }
if (@($Texts).Count -eq 2) {
    foreach ($Text in $Texts) {
        $License += ('=' * 72), (Split-Path $Text -Leaf), ('=' * 72), ''
        $License += Get-Content -LiteralPath $Text
        $License += ''
    }
} else {
    Write-Warning 'LICENSE-MIT and LICENSE-APACHE are not both in the repository: LICENSE.txt names the licences but does not hold their texts. Add them before a release.'
    $License += 'The licence texts:',
        '  MIT:        https://opensource.org/licenses/MIT',
        '  Apache-2.0: https://www.apache.org/licenses/LICENSE-2.0'
}
[System.IO.File]::WriteAllText((Join-Path $Stage 'LICENSE.txt'), (($License -join "`r`n") + "`r`n"))

# 4. The MSI.
$Msi = Join-Path $OutDir "Wharf-$MsiVersion-x64.msi"
$Candle = Get-Command candle.exe -ErrorAction SilentlyContinue
$Light = Get-Command light.exe -ErrorAction SilentlyContinue
if (-not $Candle -and $env:WIX) {
    $Candle = Get-Command (Join-Path $env:WIX 'bin\candle.exe') -ErrorAction SilentlyContinue
    $Light = Get-Command (Join-Path $env:WIX 'bin\light.exe') -ErrorAction SilentlyContinue
}
$Wixl = Get-Command wixl -ErrorAction SilentlyContinue
# A new variable: $Tool keeps its ValidateSet, which would reject ''.
$UseTool = $Tool
if ($UseTool -eq 'auto') {
    $UseTool = if ($Candle -and $Light) { 'wix3' } elseif ($Wixl) { 'wixl' } else { 'none' }
}

switch ($UseTool) {
    'wix3' {
        if (-not ($Candle -and $Light)) { throw 'candle.exe/light.exe (WiX Toolset 3.x) not found' }
        $Obj = Join-Path $OutDir 'wharf.wixobj'
        Invoke-Checked $Candle.Source @('-nologo', '-arch', 'x64', "-dVersion=$MsiVersion", "-dSourceDir=$Stage", '-out', $Obj, $Wxs)
        Invoke-Checked $Light.Source @('-nologo', '-out', $Msi, $Obj)
    }
    'wixl' {
        if (-not $Wixl) { throw 'wixl not found' }
        # wixl wants SourceDir relative to its working directory (it rejects absolute paths).
        Push-Location $OutDir
        try {
            Invoke-Checked $Wixl.Source @('--arch', 'x64', '-D', "Version=$MsiVersion", '-D', 'SourceDir=stage', '-o', $Msi, $Wxs)
        } finally {
            Pop-Location
        }
    }
    default { throw 'neither WiX Toolset 3 (candle/light) nor wixl found; see packaging\windows\README.md' }
}

$Hash = (Get-FileHash -Algorithm SHA256 $Msi).Hash.ToLowerInvariant()
Write-Host "Built $Msi"
Write-Host "SHA-256 $Hash"
Write-Host "Install: msiexec /i `"$Msi`"   (silent: add /qn; log: /l*v install.log)"
